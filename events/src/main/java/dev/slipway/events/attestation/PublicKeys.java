package dev.slipway.events.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How attestation keys are written down: ECDSA P-256 public keys as PEM {@code PUBLIC KEY} blocks
 * (X.509 SubjectPublicKeyInfo, the form {@code cosign verify-attestation --key} and {@code openssl}
 * read), and their key id: {@code SHA256:<base64 of SHA-256 over the SSH wire encoding of the
 * key>}, the id go-securesystemslib's DSSE verifier derives from a public key, so a verifier that
 * matches the envelope's {@code keyid} against its key finds Slipway's.
 */
public final class PublicKeys {

  /** Signature algorithm of every Slipway attestation. */
  public static final String ALGORITHM = "ECDSA_P256_SHA256";

  /** The JCA name of that algorithm (ASN.1 DER signatures). */
  public static final String JCA_SIGNATURE = "SHA256withECDSA";

  private static final Pattern PEM =
      Pattern.compile(
          "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----", Pattern.DOTALL);
  private static final ECParameterSpec P256 = p256();

  private PublicKeys() {}

  /** Every {@code PUBLIC KEY} block of {@code pem}, each an ECDSA P-256 key. */
  public static List<ECPublicKey> readPem(String pem) {
    List<ECPublicKey> keys = new ArrayList<>();
    Matcher block = PEM.matcher(pem);
    while (block.find()) {
      byte[] der = Base64.getMimeDecoder().decode(block.group(1));
      keys.add(fromDer(der));
    }
    return keys;
  }

  /**
   * The keys {@code text} holds, in any of the forms a verifier is given them: PEM {@code PUBLIC
   * KEY} blocks, the JSON of build-service's {@code GET /api/builds/keys} ({@code {"keys":
   * [{"publicKey": PEM}]}}) or a JWK Set (RFC 7517; its {@code EC} keys on {@code P-256}, other
   * entries skipped). {@code source} names where the text came from in errors; a text that holds no
   * key is refused, never read as "trust nothing".
   */
  public static List<ECPublicKey> parse(String text, String source) {
    List<ECPublicKey> keys = new ArrayList<>();
    try {
      if (text.stripLeading().startsWith("{")) {
        JsonNode json;
        try {
          json = EventJson.mapper().readTree(text);
        } catch (IOException e) {
          throw new IllegalArgumentException("is neither PEM, the keys JSON nor a JWK Set");
        }
        for (JsonNode key : json.path("keys")) {
          if (key.hasNonNull("publicKey")) {
            keys.addAll(readPem(key.path("publicKey").asText()));
          } else if ("EC".equals(key.path("kty").asText())
              && "P-256".equals(key.path("crv").asText())) {
            keys.add(fromJwk(key.path("x").asText(), key.path("y").asText()));
          }
        }
      } else {
        keys.addAll(readPem(text));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(source + " holds no ECDSA P-256 PUBLIC KEY");
    }
    return keys;
  }

  /** A P-256 key from a JWK's base64url coordinates {@code x} and {@code y}. */
  public static ECPublicKey fromJwk(String x, String y) {
    try {
      ECPoint point =
          new ECPoint(
              new BigInteger(1, Base64.getUrlDecoder().decode(x)),
              new BigInteger(1, Base64.getUrlDecoder().decode(y)));
      return (ECPublicKey)
          KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, P256));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("a JWK that is not a P-256 point: " + e.getMessage(), e);
    }
  }

  /** An X.509 SubjectPublicKeyInfo that must hold an ECDSA P-256 key. */
  public static ECPublicKey fromDer(byte[] der) {
    PublicKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an EC public key: " + e.getMessage(), e);
    }
    ECPublicKey ec = (ECPublicKey) key;
    if (!isP256(ec.getParams())) {
      throw new IllegalArgumentException(
          "not a P-256 key: only ECDSA P-256 keys sign attestations");
    }
    return ec;
  }

  /** {@code key} as a PEM {@code PUBLIC KEY} block, lines of 64 characters. */
  public static String toPem(PublicKey key) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
  }

  /** The key id of {@code key}: {@code SHA256:} and the unpadded base64 of its SSH fingerprint. */
  public static String keyId(ECPublicKey key) {
    byte[] point = new byte[65];
    point[0] = 0x04;
    unsigned(key.getW().getAffineX(), point, 1);
    unsigned(key.getW().getAffineY(), point, 33);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    sshString(wire, "ecdsa-sha2-nistp256".getBytes(StandardCharsets.US_ASCII));
    sshString(wire, "nistp256".getBytes(StandardCharsets.US_ASCII));
    sshString(wire, point);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(wire.toByteArray());
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code params} are those of NIST P-256 (secp256r1). */
  public static boolean isP256(ECParameterSpec params) {
    return params.getCurve().equals(P256.getCurve())
        && params.getGenerator().equals(P256.getGenerator())
        && params.getOrder().equals(P256.getOrder())
        && params.getCofactor() == P256.getCofactor();
  }

  private static void unsigned(BigInteger value, byte[] into, int offset) {
    byte[] raw = value.toByteArray();
    int start = raw.length > 32 ? raw.length - 32 : 0;
    int length = raw.length - start;
    System.arraycopy(raw, start, into, offset + 32 - length, length);
  }

  private static void sshString(ByteArrayOutputStream out, byte[] value) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(value.length).array());
    out.writeBytes(value);
  }

  private static ECParameterSpec p256() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return ((ECPublicKey) generator.generateKeyPair().getPublic()).getParams();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no P-256", e);
    }
  }
}
