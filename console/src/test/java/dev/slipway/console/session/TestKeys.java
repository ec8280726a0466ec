package dev.slipway.console.session;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/** An RSA key pair made per test run, its public half in a PEM file, and tokens signed with it. */
public final class TestKeys {

  private static final KeyPair PAIR = generate();
  private static final Path PUBLIC_PEM = writePublic();

  private TestKeys() {}

  /** The {@code file:} location of the public key. */
  public static String publicKeyLocation() {
    return "file:" + PUBLIC_PEM;
  }

  /** A platform token for {@code user} with {@code roles}, expiring at {@code expires}. */
  public static String token(String user, List<String> roles, Instant expires) {
    return token("https://slipway.dev", user, roles, expires, PAIR);
  }

  /** A token signed by a key nobody trusts. */
  public static String foreignToken(String user, List<String> roles, Instant expires) {
    return token("https://slipway.dev", user, roles, expires, generate());
  }

  static String token(
      String issuer, String user, List<String> roles, Instant expires, KeyPair pair) {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer(issuer);
    claims.setSubject(user);
    claims.setClaim("upn", user);
    claims.setStringListClaim("groups", roles);
    claims.setExpirationTime(NumericDate.fromSeconds(expires.getEpochSecond()));
    claims.setIssuedAtToNow();
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(pair.getPrivate());
    jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
    try {
      return jws.getCompactSerialization();
    } catch (JoseException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path writePublic() {
    try {
      Path file = Files.createTempFile("console-test-public", ".pem");
      file.toFile().deleteOnExit();
      Files.writeString(
          file,
          "-----BEGIN PUBLIC KEY-----\n"
              + Base64.getMimeEncoder().encodeToString(PAIR.getPublic().getEncoded())
              + "\n-----END PUBLIC KEY-----\n");
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
