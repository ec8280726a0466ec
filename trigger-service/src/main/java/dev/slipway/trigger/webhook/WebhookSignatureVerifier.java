package dev.slipway.trigger.webhook;

import dev.slipway.trigger.GitProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a webhook's signature over the raw body bytes, before anything parses them, in constant
 * time: GitHub {@code X-Hub-Signature-256: sha256=<hex>}, Bitbucket Cloud {@code X-Hub-Signature:
 * sha256=<hex>}, Gitea {@code X-Gitea-Signature: <hex>} (all HMAC-SHA256 of the body), GitLab
 * {@code X-Gitlab-Token} (the shared secret itself).
 */
@ApplicationScoped
public class WebhookSignatureVerifier {

  private static final String HMAC = "HmacSHA256";
  private static final String SHA256_PREFIX = "sha256=";

  /** The header that carries {@code provider}'s signature or token. */
  public static String signatureHeader(GitProvider provider) {
    return switch (provider) {
      case GITHUB -> "X-Hub-Signature-256";
      case GITLAB -> "X-Gitlab-Token";
      case BITBUCKET -> "X-Hub-Signature";
      case GITEA -> "X-Gitea-Signature";
    };
  }

  /**
   * Whether {@code signature} (the header value) proves {@code body} was sent with {@code secret}.
   */
  public boolean verifies(GitProvider provider, String signature, byte[] body, byte[] secret) {
    return verifies(provider, signature, ByteBuffer.wrap(body), secret);
  }

  /**
   * Whether {@code signature} proves the bytes of {@code body} (from its position to its limit)
   * were sent with {@code secret}.
   */
  public boolean verifies(GitProvider provider, String signature, ByteBuffer body, byte[] secret) {
    if (signature == null || signature.isEmpty() || secret.length == 0) {
      return false;
    }
    return switch (provider) {
      case GITLAB -> sameToken(signature.getBytes(StandardCharsets.UTF_8), secret);
      case GITEA -> sameMac(decodeHex(signature), body, secret);
      case GITHUB, BITBUCKET ->
          signature.regionMatches(true, 0, SHA256_PREFIX, 0, 7)
              && sameMac(decodeHex(signature.substring(SHA256_PREFIX.length())), body, secret);
    };
  }

  /** The {@code sha256=<hex>} or bare hex HMAC of {@code body}, as {@code provider} sends it. */
  public static String sign(GitProvider provider, byte[] body, byte[] secret) {
    String hex = HexFormat.of().formatHex(hmac(ByteBuffer.wrap(body), secret));
    return switch (provider) {
      case GITLAB -> new String(secret, StandardCharsets.UTF_8);
      case GITEA -> hex;
      case GITHUB, BITBUCKET -> SHA256_PREFIX + hex;
    };
  }

  private static boolean sameMac(byte[] given, ByteBuffer body, byte[] secret) {
    return given != null && MessageDigest.isEqual(hmac(body, secret), given);
  }

  // Comparing digests keeps the comparison constant-time even when the lengths differ.
  private static boolean sameToken(byte[] given, byte[] secret) {
    return MessageDigest.isEqual(sha256(given), sha256(secret));
  }

  private static byte[] decodeHex(String hex) {
    String trimmed = hex.trim().toLowerCase(Locale.ROOT);
    if (trimmed.length() != 64) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(trimmed);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] hmac(ByteBuffer body, byte[] secret) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(secret, HMAC));
      mac.update(body.duplicate());
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  private static byte[] sha256(byte[] value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
