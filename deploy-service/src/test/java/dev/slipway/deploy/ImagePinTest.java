package dev.slipway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePinTest {

  private static final String DIGEST =
      "sha256:9b2a7c1e4f3d5b6a8c0e2f4a6b8d0c2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c";

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:5000/acme/shop, 127.0.0.1:5000/acme/shop",
    "127.0.0.1:5000/acme/shop:3f2a1c9, 127.0.0.1:5000/acme/shop",
    "registry.example/shop@sha256:0000000000000000000000000000000000000000000000000000000000000000, registry.example/shop",
    "shop:latest, shop",
  })
  void theRepositoryIsPinnedToTheDigestWhateverTagItCarried(String image, String repository) {
    assertThat(ImagePin.pin(image, DIGEST)).isEqualTo(repository + "@" + DIGEST);
  }

  @Test
  void somethingThatIsNotADigestIsRefused() {
    assertThat(ImagePin.isDigest("latest")).isFalse();
    assertThat(ImagePin.isDigest("sha256:xyz")).isFalse();
    assertThatThrownBy(() -> ImagePin.pin("shop", "v1.2"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
