package dev.slipway.launcher.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One-time sign-in links of the local console: a platform token for the chosen user and roles,
 * sealed with the console's session key (AES-256-GCM, associated data {@code login-ticket}) into a
 * ticket that expires in minutes and carries a random nonce the console accepts once. The format is
 * the console's ({@code console/README.md}, {@code LoginTickets}); the key is the file the console
 * is started with, {@code .slipway/secrets/console-session-key}.
 */
public final class ConsoleLinks {

  /** The associated data tickets are sealed with. */
  static final String PURPOSE = "login-ticket";

  private static final SecureRandom RANDOM = new SecureRandom();

  private ConsoleLinks() {}

  /** The console's session key in {@code secrets}, made (32 random bytes, base64) if missing. */
  public static String sessionKey(Path secrets) throws IOException {
    Path file = secrets.resolve("console-session-key");
    if (!Files.exists(file)) {
      Files.createDirectories(secrets);
      byte[] key = new byte[32];
      RANDOM.nextBytes(key);
      Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the folder's own permissions protect it.
      }
    }
    return Files.readString(file).strip();
  }

  /** A ticket holding {@code token}, valid for {@code ttl}, sealed with {@code base64Key}. */
  public static String ticket(String base64Key, String token, Duration ttl) {
    byte[] nonce = new byte[18];
    RANDOM.nextBytes(nonce);
    String json =
        "{\"token\":\""
            + token
            + "\",\"exp\":"
            + Instant.now().plus(ttl).getEpochSecond()
            + ",\"nonce\":\""
            + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce)
            + "\"}";
    return seal(base64Key, json);
  }

  /** The sign-in link of {@code ticket} on the console at {@code baseUrl}. */
  public static String link(String baseUrl, String ticket) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + "/login/link?ticket=" + ticket;
  }

  static String seal(String base64Key, String text) {
    byte[] key = Base64.getDecoder().decode(base64Key.strip());
    byte[] iv = new byte[12];
    RANDOM.nextBytes(iv);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
      cipher.updateAAD(PURPOSE.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[iv.length + sealed.length];
      System.arraycopy(iv, 0, out, 0, iv.length);
      System.arraycopy(sealed, 0, out, iv.length, sealed.length);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }
}
