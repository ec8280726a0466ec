package dev.slipway.trigger.service;

import dev.slipway.trigger.config.TriggerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts webhook secrets at rest with AES-256-GCM. The application name is authenticated as
 * associated data, so a ciphertext copied onto another application's row does not decrypt.
 */
@ApplicationScoped
public class SecretCipher {

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();

  @Inject
  public SecretCipher(TriggerConfig config) {
    this(config.secretEncryptionKey());
  }

  /** A cipher over the base64 {@code key}, which must decode to 32 bytes. */
  public SecretCipher(String base64Key) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64Key.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("slipway.trigger.secret-encryption-key is not base64", e);
    }
    if (raw.length != 32) {
      throw new IllegalStateException(
          "slipway.trigger.secret-encryption-key must be 32 bytes (AES-256), got " + raw.length);
    }
    this.key = new SecretKeySpec(raw, "AES");
  }

  /** The ciphertext of {@code secret} for {@code application}: nonce, then ciphertext and tag. */
  public byte[] encrypt(String application, String secret) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(application.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt the webhook secret", e);
    }
  }

  /** The secret sealed by {@link #encrypt} for {@code application}. */
  public byte[] decrypt(String application, byte[] ciphertext) {
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 0, NONCE_BYTES));
      cipher.updateAAD(application.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot decrypt the webhook secret of " + application + ": wrong key or altered row", e);
    }
  }
}
