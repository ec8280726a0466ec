package dev.slipway.console.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SealedBoxTest {

  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String OTHER_KEY =
      Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

  private final SealedBox box = new SealedBox(KEY);

  @Test
  void opensWhatItSealedForTheSamePurpose() {
    String sealed = box.seal("session", "{\"u\":\"ada\"}");
    assertThat(sealed).doesNotContain("ada");
    assertThat(box.open("session", sealed)).contains("{\"u\":\"ada\"}");
  }

  @Test
  void aSealedTextNeverOpensForAnotherPurpose() {
    String ticket = box.seal("login-ticket", "x");
    assertThat(box.open("session", ticket)).isEmpty();
  }

  @Test
  void anotherKeyOpensNothing() {
    String sealed = box.seal("session", "x");
    assertThat(new SealedBox(OTHER_KEY).open("session", sealed)).isEmpty();
  }

  @Test
  void everyFlippedByteIsRefused() {
    byte[] sealed = Base64.getUrlDecoder().decode(box.seal("session", "the token"));
    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 1;
      String text = Base64.getUrlEncoder().withoutPadding().encodeToString(tampered);
      assertThat(box.open("session", text)).as("byte %d flipped", i).isEmpty();
    }
  }

  @Test
  void garbageIsRefusedNotThrown() {
    assertThat(box.open("session", null)).isEmpty();
    assertThat(box.open("session", "")).isEmpty();
    assertThat(box.open("session", "not base64 !!")).isEmpty();
    assertThat(box.open("session", "AAAA")).isEmpty();
    assertThat(box.open("session", "A".repeat(20_000))).isEmpty();
  }

  @Test
  void twoSealsOfOneTextDiffer() {
    assertThat(box.seal("session", "x")).isNotEqualTo(box.seal("session", "x"));
  }

  @Test
  void aKeyOfTheWrongLengthIsRefusedAtStart() {
    assertThatThrownBy(() -> new SealedBox(Base64.getEncoder().encodeToString(new byte[16])))
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new SealedBox("%%%")).hasMessageContaining("base64");
  }
}
