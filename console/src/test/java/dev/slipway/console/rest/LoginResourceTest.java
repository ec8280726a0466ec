package dev.slipway.console.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where a sign-in may send the browser: only back into the console. */
class LoginResourceTest {

  @Test
  void onlyAPathOfTheConsoleIsFollowed() {
    assertThat(LoginResource.safeNext("/approvals")).isEqualTo("/approvals");
    assertThat(LoginResource.safeNext("/builds/1?x=2")).isEqualTo("/builds/1?x=2");
    assertThat(LoginResource.safeNext(null)).isEqualTo("/");
    assertThat(LoginResource.safeNext("https://evil.example/")).isEqualTo("/");
    assertThat(LoginResource.safeNext("//evil.example/")).isEqualTo("/");
    assertThat(LoginResource.safeNext("/\\evil.example/")).isEqualTo("/");
    assertThat(LoginResource.safeNext("/x\r\nSet-Cookie: a=b")).isEqualTo("/");
  }
}
