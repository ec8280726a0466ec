package dev.slipway.testsupport;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * Bearer tokens for tests, signed by a key pair made once per test JVM; the services under test
 * trust its public key through {@link SlipwayTestResource}. Nothing here is ever committed.
 */
public final class TestTokens {

  /** The issuer every Slipway service accepts. */
  public static final String ISSUER = "https://slipway.dev";

  private static final KeyPair KEYS = newKeyPair();
  private static final KeyPair STRANGER = newKeyPair();
  private static Path publicKeyFile;

  private TestTokens() {}

  /** A valid token for {@code user} holding {@code roles}. */
  public static String token(String user, String... roles) {
    return sign(user, Set.of(roles), Instant.now().plus(Duration.ofHours(1)), KEYS.getPrivate());
  }

  /** A valid token for {@code user} holding {@code roles} and the extra {@code claims}. */
  public static String token(String user, Map<String, Object> claims, String... roles) {
    JwtClaimsBuilder builder =
        Jwt.issuer(ISSUER)
            .upn(user)
            .subject(user)
            .groups(Set.of(roles))
            .issuedAt(Instant.now().minus(Duration.ofHours(1)))
            .expiresAt(Instant.now().plus(Duration.ofHours(1)));
    claims.forEach(builder::claim);
    return builder.sign(KEYS.getPrivate());
  }

  /** A token for {@code role} that expired an hour ago. */
  public static String expired(String user, String... roles) {
    return sign(user, Set.of(roles), Instant.now().minus(Duration.ofHours(1)), KEYS.getPrivate());
  }

  /** A token for {@code role} signed by a key the services do not trust. */
  public static String signedByStranger(String user, String... roles) {
    return sign(
        user, Set.of(roles), Instant.now().plus(Duration.ofHours(1)), STRANGER.getPrivate());
  }

  /** Location of the PEM public key the services verify tokens with. */
  public static synchronized String publicKeyLocation() {
    if (publicKeyFile == null) {
      try {
        Path dir = Files.createDirectories(Path.of("target", "test-jwt"));
        publicKeyFile = dir.resolve("public-key.pem").toAbsolutePath();
        String pem =
            "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes())
                    .encodeToString(KEYS.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Files.writeString(publicKeyFile, pem);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return "file:" + publicKeyFile;
  }

  private static String sign(String user, Set<String> roles, Instant expiry, PrivateKey key) {
    return Jwt.issuer(ISSUER)
        .upn(user)
        .subject(user)
        .groups(roles)
        .issuedAt(expiry.minus(Duration.ofHours(2)))
        .expiresAt(expiry)
        .sign(key);
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
