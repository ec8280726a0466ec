package dev.slipway.launcher;

import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ./slipway token --role R [--role R2] --user U [--ttl 8h]}: prints a bearer token the local
 * services accept. The signing key pair is made on first use under the state folder and never
 * leaves this machine; the services read only its public half.
 */
public final class TokenCommand {

  /** The issuer every Slipway service is configured to accept. */
  public static final String ISSUER = "https://slipway.dev";

  /** The roles Slipway's services know. */
  public static final List<String> ROLES =
      List.of("viewer", "deployer", "approver", "auditor", "admin");

  static final String PRIVATE_KEY = "private-key.pem";
  static final String PUBLIC_KEY = "public-key.pem";

  private TokenCommand() {}

  public static void main(String[] args) {
    try {
      System.out.println(run(args, keyDir(), System.err));
    } catch (IllegalArgumentException e) {
      System.err.println("slipway token: " + e.getMessage());
      System.err.println("usage: slipway token --role ROLE [--role ROLE] --user USER [--ttl 8h]");
      System.exit(2);
    } catch (IOException | GeneralSecurityException e) {
      System.err.println("slipway token: " + e.getMessage());
      System.exit(1);
    }
  }

  /** Parses the arguments, makes the key pair if needed and returns a signed token. */
  static String run(String[] args, Path keyDir, PrintStream notes)
      throws IOException, GeneralSecurityException {
    Set<String> roles = new LinkedHashSet<>();
    String user = null;
    Duration ttl = Duration.ofHours(8);
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--role" -> roles.add(role(require(value, "--role")));
        case "--user" -> user = require(value, "--user");
        case "--ttl" -> ttl = ttl(require(value, "--ttl"));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
      i++;
    }
    if (roles.isEmpty() || user == null || user.isBlank()) {
      throw new IllegalArgumentException("--role and --user are required");
    }
    return sign(keyDir, user, roles, ttl, notes);
  }

  /**
   * A token for {@code user} holding {@code roles}, signed with the local key (made if missing).
   */
  public static String sign(
      Path keyDir, String user, Set<String> roles, Duration ttl, PrintStream notes)
      throws IOException, GeneralSecurityException {
    PrivateKey key = privateKey(keyDir, notes);
    return Jwt.issuer(ISSUER).upn(user).subject(user).groups(roles).expiresIn(ttl).sign(key);
  }

  /** The key folder the launcher was started with. */
  public static Path keyDir() {
    return Path.of(System.getProperty("slipway.jwt.dir", ".slipway/jwt"));
  }

  private static String require(String value, String flag) {
    if (value == null) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return value;
  }

  private static String role(String role) {
    if (!ROLES.contains(role)) {
      throw new IllegalArgumentException("unknown role " + role + "; one of " + ROLES);
    }
    return role;
  }

  private static Duration ttl(String text) {
    try {
      return Duration.parse("PT" + text.toUpperCase());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--ttl takes a duration like 30m or 8h, not " + text);
    }
  }

  private static PrivateKey privateKey(Path dir, PrintStream notes)
      throws IOException, GeneralSecurityException {
    Path privateFile = dir.resolve(PRIVATE_KEY);
    if (!Files.exists(privateFile)) {
      Files.createDirectories(dir);
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      Files.writeString(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      Files.writeString(dir.resolve(PUBLIC_KEY), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
      notes.println("slipway token: made a new signing key pair in " + dir.toAbsolutePath());
    }
    String base64 =
        Files.readString(privateFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
