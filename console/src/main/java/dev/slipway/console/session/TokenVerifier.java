package dev.slipway.console.session;

import dev.slipway.console.config.ConsoleConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * Checks a platform token the way the services do (RS256 signature by the platform's key, issuer,
 * expiry) before the console holds it in a session, and reads who it names and its roles.
 */
@ApplicationScoped
public class TokenVerifier {

  private final ConsoleConfig config;
  private volatile JwtConsumer consumer;

  public TokenVerifier(ConsoleConfig config) {
    this.config = config;
  }

  /** Who {@code token} names, if it is a valid platform token now. */
  public Optional<Identity> verify(String token) {
    try {
      JwtClaims claims = consumer().processToClaims(token);
      String user = claims.getClaimValueAsString("upn");
      if (user == null || user.isBlank()) {
        user = claims.getSubject();
      }
      if (user == null || user.isBlank() || claims.getExpirationTime() == null) {
        return Optional.empty();
      }
      Set<String> roles = new LinkedHashSet<>();
      Object claim = claims.getClaimValue(config.session().rolesClaim());
      if (claim instanceof List<?> list) {
        list.forEach(role -> roles.add(String.valueOf(role)));
      } else if (claim instanceof String role) {
        roles.add(role);
      }
      return Optional.of(
          new Identity(user, roles, Instant.ofEpochSecond(claims.getExpirationTime().getValue())));
    } catch (InvalidJwtException | MalformedClaimException e) {
      return Optional.empty();
    }
  }

  private JwtConsumer consumer() {
    JwtConsumer current = consumer;
    if (current == null) {
      current =
          new JwtConsumerBuilder()
              .setRequireExpirationTime()
              .setAllowedClockSkewInSeconds(30)
              .setExpectedIssuer(config.session().issuer())
              .setVerificationKey(publicKey(config.session().publicKeyLocation()))
              .setSkipDefaultAudienceValidation()
              .build();
      consumer = current;
    }
    return current;
  }

  /** The RSA public key in PEM at {@code location} ({@code file:PATH}, or on the class path). */
  static PublicKey publicKey(String location) {
    String pem;
    try {
      if (location.startsWith("file:")) {
        pem = Files.readString(Path.of(location.substring("file:".length())));
      } else {
        String resource = location.startsWith("classpath:") ? location.substring(10) : location;
        try (InputStream in =
            Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
          if (in == null) {
            throw new IllegalStateException("no public key at " + location);
          }
          pem = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the public key at " + location, e);
    }
    String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance("RSA")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("the public key at " + location + " is no RSA key", e);
    }
  }

  /**
   * What a verified token says.
   *
   * @param user its user
   * @param roles its roles
   * @param expiresAt its expiry
   */
  public record Identity(String user, Set<String> roles, Instant expiresAt) {}
}
