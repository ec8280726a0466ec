package dev.slipway.trigger.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String NEW_KEY = key(7);
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
        .isInstanceOf(SecretCipher.UnreadableSecretException.class);
  }

  @Test
  void anotherKeyCannotDecrypt() {
    byte[] sealed = cipher.encrypt("shop", "hunter2-hunter2");
    SecretCipher stranger = new SecretCipher(key(1));
    assertThatThrownBy(() -> stranger.decrypt("shop", sealed))
        .isInstanceOf(SecretCipher.UnreadableSecretException.class);
  }

  @Test
  void keyMustBe256Bits() {
    assertThatThrownBy(() -> new SecretCipher(Base64.getEncoder().encodeToString(new byte[16])))
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new SecretCipher("not base64!")).hasMessageContaining("base64");
  }

  @Test
  void ciphertextNamesItsKey() {
    SecretCipher rotated = new SecretCipher("k2", NEW_KEY, Map.of("k1", KEY));

    assertThat(cipher.keyIdOf(cipher.encrypt("shop", "hunter2-hunter2"))).isEqualTo("k1");
    assertThat(rotated.keyIdOf(rotated.encrypt("shop", "hunter2-hunter2"))).isEqualTo("k2");
    assertThat(rotated.currentKeyId()).isEqualTo("k2");
  }

  @Test
  void secondKeyDecryptsWhatTheFirstSealedAndSealsUnderItself() {
    byte[] underOld = cipher.encrypt("shop", "hunter2-hunter2");
    SecretCipher rotated = new SecretCipher("k2", NEW_KEY, Map.of("k1", KEY));

    assertThat(rotated.decrypt("shop", underOld))
        .isEqualTo("hunter2-hunter2".getBytes(StandardCharsets.UTF_8));
    byte[] underNew = rotated.encrypt("shop", "hunter2-hunter2");
    // Until the old key is dropped, an instance that still seals with k1 but knows k2 reads both.
    SecretCipher beforeSwitch = new SecretCipher("k1", KEY, Map.of("k2", NEW_KEY));
    assertThat(beforeSwitch.decrypt("shop", underNew))
        .isEqualTo("hunter2-hunter2".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> cipher.decrypt("shop", underNew))
        .isInstanceOf(SecretCipher.UnreadableSecretException.class)
        .hasMessageContaining("k2");
  }

  @Test
  void relabelledKeyIdDoesNotDecrypt() {
    SecretCipher both = new SecretCipher("k2", NEW_KEY, Map.of("k1", NEW_KEY));
    byte[] sealed = both.encrypt("shop", "hunter2-hunter2");
    // Same key material under another id: the id is authenticated, so the label cannot be swapped.
    sealed[5] = '1';
    assertThatThrownBy(() -> both.decrypt("shop", sealed))
        .isInstanceOf(SecretCipher.UnreadableSecretException.class);
  }

  @Test
  void ciphertextWrittenBeforeKeyIdsStillDecrypts() throws Exception {
    byte[] legacy = legacySeal(new byte[32], "shop", "hunter2-hunter2");
    SecretCipher rotated = new SecretCipher("k2", NEW_KEY, Map.of("k1", KEY));

    assertThat(rotated.keyIdOf(legacy)).isEqualTo(SecretCipher.LEGACY_KEY_ID);
    assertThat(rotated.decrypt("shop", legacy))
        .isEqualTo("hunter2-hunter2".getBytes(StandardCharsets.UTF_8));
  }

  /** The format of the first release: nonce, then ciphertext and tag; the name as AAD. */
  private static byte[] legacySeal(byte[] key, String application, String secret) throws Exception {
    byte[] nonce = new byte[12];
    nonce[0] = 9;
    Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
    aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    aes.updateAAD(application.getBytes(StandardCharsets.UTF_8));
    byte[] sealed = aes.doFinal(secret.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array();
  }

  private static String key(int seed) {
    byte[] raw = new byte[32];
    raw[0] = (byte) seed;
    return Base64.getEncoder().encodeToString(raw);
  }
}
