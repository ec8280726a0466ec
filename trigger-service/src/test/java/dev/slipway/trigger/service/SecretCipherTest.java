package dev.slipway.trigger.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private final SecretCipher cipher = new SecretCipher(KEY);

  @Test
  void encryptsWithAFreshNonceAndDecryptsBack() {
    byte[] first = cipher.encrypt("shop", "hunter2-hunter2");
    byte[] second = cipher.encrypt("shop", "hunter2-hunter2");

    assertThat(first).isNotEqualTo(second);
    assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain("hunter2");
    assertThat(cipher.decrypt("shop", first))
        .isEqualTo("hunter2-hunter2".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void ciphertextIsBoundToItsApplication() {
    byte[] sealed = cipher.encrypt("shop", "hunter2-hunter2");
    assertThatThrownBy(() -> cipher.decrypt("billing", sealed))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anotherKeyCannotDecrypt() {
    byte[] other = new byte[32];
    other[0] = 1;
    byte[] sealed = cipher.encrypt("shop", "hunter2-hunter2");
    SecretCipher stranger = new SecretCipher(Base64.getEncoder().encodeToString(other));
    assertThatThrownBy(() -> stranger.decrypt("shop", sealed))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void keyMustBe256Bits() {
    assertThatThrownBy(() -> new SecretCipher(Base64.getEncoder().encodeToString(new byte[16])))
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new SecretCipher("not base64!")).hasMessageContaining("base64");
  }
}
