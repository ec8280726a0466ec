package dev.slipway.trigger.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryUrlTest {

  @ParameterizedTest
  @CsvSource({
    "https://github.com/acme/shop.git, https://github.com/acme/shop",
    "https://github.com/acme/shop, https://github.com/acme/shop",
    "git@github.com:acme/shop.git, https://github.com/acme/shop",
    "https://GitHub.com/Acme/Shop/, https://github.com/acme/shop",
    "https://user:token@github.com/acme/shop.git, https://github.com/acme/shop",
    "ssh://git@gitea.example.com:2222/acme/shop.git, https://gitea.example.com/acme/shop",
    "git://github.com/acme/shop.git, https://github.com/acme/shop",
    "https://gitlab.example.com:8443/group/sub/shop.git, https://gitlab.example.com:8443/group/sub/shop",
    "https://github.com:443/acme/shop, https://github.com/acme/shop",
    "http://gitea.local:3000/acme/shop.git, http://gitea.local:3000/acme/shop"
  })
  void spellingsOfOneRepositoryNormalizeAlike(String url, String normal) {
    assertThat(RepositoryUrl.normalize(url)).contains(normal);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "shop",
        "https://github.com",
        "https://github.com/acme",
        "ftp://example.com/acme/shop",
        "https://github.com/acme/shop?tab=readme",
        "https://github.com/acme/$(rm -rf)/shop",
        "file:///srv/git/shop.git"
      })
  void otherTextIsNotARepositoryUrl(String url) {
    assertThat(RepositoryUrl.normalize(url)).isEmpty();
  }
}
