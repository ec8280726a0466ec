package dev.slipway.events.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Image references as deploy.requested carries them, read into registry and repository. */
class ImageNameTest {

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:5000/shop, 127.0.0.1:5000, shop",
    "127.0.0.1:5000/demo-shop:fa5ca65, 127.0.0.1:5000, demo-shop",
    "registry.example/acme/shop@sha256:abc, registry.example, acme/shop",
    "localhost/team/app:1.2@sha256:abc, localhost, team/app",
    "ghcr.io/acme/shop, ghcr.io, acme/shop"
  })
  void readsRegistryAndRepository(String image, String registry, String repository) {
    assertThat(ImageName.parse(image)).isEqualTo(new ImageName(registry, repository));
  }

  @ParameterizedTest
  @ValueSource(strings = {"shop", "library/shop", "/shop", " "})
  void aReferenceWithoutARegistryHostIsRefused(String image) {
    assertThatThrownBy(() -> ImageName.parse(image)).isInstanceOf(IllegalArgumentException.class);
  }
}
