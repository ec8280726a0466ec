package dev.slipway.console.session;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals small texts with AES-256-GCM so that only a holder of the key can read or forge them:
 * session cookies and local sign-in tickets. Each sealed text names its purpose in the
 * authenticated data, so a ticket cannot be replayed as a session or the other way round.
 *
 * <p>Format: base64url (no padding) of a 12-byte random nonce followed by the ciphertext and its
 * 16-byte tag; the associated data is the purpose's UTF-8 bytes.
 */
public final class SealedBox {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  /**
   * A box with the 32-byte key {@code base64Key} (standard base64, as `openssl rand -base64 32`).
   */
  public SealedBox(String base64Key) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64Key.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the session key is not base64", e);
    }
    if (raw.length != 32) {
      throw new IllegalArgumentException(
          "the session key must be 32 bytes (base64 of 32 random bytes), not " + raw.length);
    }
    this.key = new SecretKeySpec(raw, "AES");
  }

  /** {@code text} sealed for {@code purpose}. */
  public String seal(String purpose, String text) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The text {@code sealed} holds, if it was sealed with this key for {@code purpose}. */
  public Optional<String> open(String purpose, String sealed) {
    if (sealed == null || sealed.isEmpty() || sealed.length() > 16_384) {
      return Optional.empty();
    }
    byte[] in;
    try {
      in = Base64.getUrlDecoder().decode(sealed);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (in.length < NONCE_BYTES + TAG_BITS / 8) {
      return Optional.empty();
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
      return Optional.of(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      // Tampered, another key, or another purpose: not ours.
      return Optional.empty();
    }
  }
}
