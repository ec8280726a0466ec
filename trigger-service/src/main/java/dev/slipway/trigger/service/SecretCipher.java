package dev.slipway.trigger.service;

import dev.slipway.trigger.config.TriggerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts webhook secrets at rest with AES-256-GCM under a ring of keys. Every ciphertext names
 * the key that sealed it ({@code "SK" 0x01, id length, id, nonce, ciphertext and tag}), so a new
 * key can be added, rows re-encrypted under it while every instance still decrypts both, and the
 * old key dropped afterwards. The application name and the key id are authenticated as associated
 * data: a ciphertext copied onto another application's row, or relabelled with another key id, does
 * not decrypt. Rows written before key ids existed (nonce, ciphertext and tag only) still decrypt
 * with whichever configured key sealed them.
 */
@ApplicationScoped
public class SecretCipher {

  /** The key id of ciphertexts written before ciphertexts carried one. */
  public static final String LEGACY_KEY_ID = "(none)";

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final byte[] MAGIC = {'S', 'K', 1};
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Pattern KEY_ID = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");

  private final String currentKeyId;
  private final Map<String, SecretKey> keys = new LinkedHashMap<>();
  private final SecureRandom random = new SecureRandom();

  @Inject
  public SecretCipher(TriggerConfig config) {
    this(config.secretKeyId(), config.secretEncryptionKey(), config.secretPreviousKeys());
  }

  /** A cipher with the single base64 {@code key}, which must decode to 32 bytes. */
  public SecretCipher(String base64Key) {
    this("k1", base64Key, Map.of());
  }

  /**
   * A cipher that encrypts with {@code currentKey} (id {@code currentKeyId}) and also decrypts with
   * the base64 {@code previousKeys} by id.
   */
  public SecretCipher(String currentKeyId, String currentKey, Map<String, String> previousKeys) {
    this.currentKeyId = checkedId(currentKeyId);
    keys.put(currentKeyId, key(currentKey, "slipway.trigger.secret-encryption-key"));
    previousKeys.forEach(
        (id, value) -> {
          if (!id.equals(currentKeyId)) {
            keys.put(checkedId(id), key(value, "slipway.trigger.secret-previous-keys." + id));
          }
        });
  }

  /** The id of the key new ciphertexts are sealed with. */
  public String currentKeyId() {
    return currentKeyId;
  }

  /** The ciphertext of {@code secret} for {@code application}, under the current key. */
  public byte[] encrypt(String application, String secret) {
    byte[] id = currentKeyId.getBytes(StandardCharsets.US_ASCII);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(application, currentKeyId));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(MAGIC.length + 1 + id.length + NONCE_BYTES + sealed.length)
          .put(MAGIC)
          .put((byte) id.length)
          .put(id)
          .put(nonce)
          .put(sealed)
          .array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt the webhook secret", e);
    }
  }

  /**
   * The secret sealed by {@link #encrypt} for {@code application}; fails with {@link
   * UnreadableSecretException} when no configured key opens it.
   */
  public byte[] decrypt(String application, byte[] ciphertext) {
    Optional<String> id = labelledKeyId(ciphertext);
    if (id.isPresent() && keys.containsKey(id.get())) {
      int start = MAGIC.length + 1 + id.get().length();
      byte[] opened = open(keys.get(id.get()), ciphertext, start, associatedData(application, id));
      if (opened != null) {
        return opened;
      }
    }
    // Unlabelled: written before key ids. (A legacy nonce that merely looks like a label is tried
    // here too.)
    byte[] legacyAad = application.getBytes(StandardCharsets.UTF_8);
    for (SecretKey key : keys.values()) {
      byte[] opened = open(key, ciphertext, 0, legacyAad);
      if (opened != null) {
        return opened;
      }
    }
    throw new UnreadableSecretException(
        "cannot decrypt the webhook secret of "
            + application
            + " (key "
            + id.orElse(LEGACY_KEY_ID)
            + "): key not configured, or the row was altered");
  }

  /** The id of the key that sealed {@code ciphertext}, or {@link #LEGACY_KEY_ID}. */
  public String keyIdOf(byte[] ciphertext) {
    return labelledKeyId(ciphertext).orElse(LEGACY_KEY_ID);
  }

  private static Optional<String> labelledKeyId(byte[] ciphertext) {
    if (ciphertext.length <= MAGIC.length + 1
        || !Arrays.equals(ciphertext, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return Optional.empty();
    }
    int length = ciphertext[MAGIC.length] & 0xff;
    int start = MAGIC.length + 1;
    if (length == 0 || start + length + NONCE_BYTES >= ciphertext.length) {
      return Optional.empty();
    }
    String id = new String(ciphertext, start, length, StandardCharsets.US_ASCII);
    return KEY_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }

  private static byte[] open(SecretKey key, byte[] ciphertext, int start, byte[] aad) {
    if (ciphertext.length < start + NONCE_BYTES + TAG_BITS / 8) {
      return null;
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, start, NONCE_BYTES));
      cipher.updateAAD(aad);
      int sealed = start + NONCE_BYTES;
      return cipher.doFinal(ciphertext, sealed, ciphertext.length - sealed);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static byte[] associatedData(String application, Optional<String> keyId) {
    return associatedData(application, keyId.orElseThrow());
  }

  private static byte[] associatedData(String application, String keyId) {
    return (application + "\u0000" + keyId).getBytes(StandardCharsets.UTF_8);
  }

  private static String checkedId(String id) {
    if (id == null || !KEY_ID.matcher(id).matches()) {
      throw new IllegalStateException(
          "secret key id '" + id + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    return id;
  }

  private static SecretKey key(String base64Key, String property) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64Key.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(property + " is not base64", e);
    }
    if (raw.length != 32) {
      throw new IllegalStateException(property + " must be 32 bytes (AES-256), got " + raw.length);
    }
    return new SecretKeySpec(raw, "AES");
  }

  /** No configured key opens a stored secret: the key is missing or the row was altered. */
  public static class UnreadableSecretException extends IllegalStateException {
    public UnreadableSecretException(String message) {
      super(message);
    }
  }
}
