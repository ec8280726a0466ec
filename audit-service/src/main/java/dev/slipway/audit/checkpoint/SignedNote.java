package dev.slipway.audit.checkpoint;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, and the checkpoint text of
 * c2sp.org/tlog-checkpoint: origin, tree size and base64 root hash, one per line. A note is its
 * text, a blank line, and signature lines {@code — <key name> base64(key id || signature)}; the key
 * id is the first four bytes of {@code SHA-256(name || 0x0A || 0x01 || public key)}. Keys are
 * written as Go's {@code golang.org/x/mod/sumdb/note} writes them: {@code PRIVATE+KEY+<name>+<hex
 * id>+base64(0x01 || seed)} and, for verifiers, {@code <name>+<hex id>+base64(0x01 || public key)}.
 */
public final class SignedNote {

  private static final byte ED25519 = 0x01;
  private static final String PRIVATE_PREFIX = "PRIVATE+KEY+";
  private static final String SIGNATURE_PREFIX = "\u2014 ";
  private static final HexFormat HEX = HexFormat.of();

  /**
   * A signing key.
   *
   * @param name the key's name, e.g. the log's origin
   * @param id the key id
   * @param privateKey the Ed25519 private key
   * @param publicKey the raw 32-byte public key
   */
  public record Signer(String name, byte[] id, PrivateKey privateKey, byte[] publicKey) {

    /** The text a verifier needs: {@code <name>+<hex id>+base64(0x01 || public key)}. */
    public String verifierKey() {
      return verifier().text();
    }

    /** The public half. */
    public Verifier verifier() {
      return new Verifier(name, id, publicKey);
    }
  }

  /**
   * A key that checks signatures.
   *
   * @param name the key's name
   * @param id the key id
   * @param publicKey the raw 32-byte public key
   */
  public record Verifier(String name, byte[] id, byte[] publicKey) {

    /** The verifier key text: {@code <name>+<hex id>+base64(0x01 || public key)}. */
    public String text() {
      return name
          + "+"
          + HEX.formatHex(id)
          + "+"
          + Base64.getEncoder().encodeToString(typed(publicKey));
    }

    /** A verifier from its text. */
    public static Verifier parse(String text) {
      String[] parts = text.trim().split("\\+", 3);
      if (parts.length != 3) {
        throw new IllegalArgumentException("a verifier key is name+id+key");
      }
      byte[] typedKey = Base64.getDecoder().decode(parts[2]);
      if (typedKey.length != 33 || typedKey[0] != ED25519) {
        throw new IllegalArgumentException("only Ed25519 verifier keys (type 0x01) are supported");
      }
      byte[] publicKey = Arrays.copyOfRange(typedKey, 1, 33);
      byte[] id = keyId(parts[0], publicKey);
      if (!HEX.formatHex(id).equals(parts[1])) {
        throw new IllegalArgumentException("the key id " + parts[1] + " does not match the key");
      }
      return new Verifier(parts[0], id, publicKey);
    }
  }

  /**
   * The checkpoint a note states.
   *
   * @param origin the log's name
   * @param treeSize the tree size
   * @param rootHash the root hash
   */
  public record CheckpointText(String origin, long treeSize, byte[] rootHash) {}

  private SignedNote() {}

  /** The checkpoint text for a tree. */
  public static String checkpointText(String origin, long treeSize, byte[] rootHash) {
    return origin + "\n" + treeSize + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n";
  }

  /** {@code text} signed by {@code signer}: text, a blank line, the signature line. */
  public static String sign(String text, Signer signer) {
    try {
      Signature ed = Signature.getInstance("Ed25519");
      ed.initSign(signer.privateKey());
      ed.update(text.getBytes(StandardCharsets.UTF_8));
      byte[] signature = ed.sign();
      byte[] idAndSignature = new byte[4 + signature.length];
      System.arraycopy(signer.id(), 0, idAndSignature, 0, 4);
      System.arraycopy(signature, 0, idAndSignature, 4, signature.length);
      return text
          + "\n"
          + SIGNATURE_PREFIX
          + signer.name()
          + " "
          + Base64.getEncoder().encodeToString(idAndSignature)
          + "\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
    }
  }

  /**
   * The checkpoint {@code note} states, if the signer's key signed it; null when the note is not a
   * checkpoint or carries no valid signature of that key.
   */
  public static CheckpointText open(String note, Signer signer) {
    return open(note, signer.verifier());
  }

  /**
   * The checkpoint {@code note} states, if {@code key} signed it; null when the note is not a
   * checkpoint or carries no valid signature of that key.
   */
  public static CheckpointText open(String note, Verifier signer) {
    int split = note.lastIndexOf("\n\n");
    if (split < 0) {
      return null;
    }
    String text = note.substring(0, split + 1);
    boolean signed = false;
    for (String line : note.substring(split + 2).split("\n")) {
      if (!line.startsWith(SIGNATURE_PREFIX)) {
        continue;
      }
      String[] nameAndSignature = line.substring(SIGNATURE_PREFIX.length()).split(" ");
      if (nameAndSignature.length != 2 || !nameAndSignature[0].equals(signer.name())) {
        continue;
      }
      byte[] idAndSignature;
      try {
        idAndSignature = Base64.getDecoder().decode(nameAndSignature[1]);
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (idAndSignature.length != 68
          || !Arrays.equals(Arrays.copyOf(idAndSignature, 4), signer.id())) {
        continue;
      }
      signed = verify(text, Arrays.copyOfRange(idAndSignature, 4, 68), signer.publicKey());
      break;
    }
    if (!signed) {
      return null;
    }
    List<String> lines = List.of(text.split("\n"));
    if (lines.size() < 3) {
      return null;
    }
    try {
      return new CheckpointText(
          lines.get(0), Long.parseLong(lines.get(1)), Base64.getDecoder().decode(lines.get(2)));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A signer from a private key in Go's note format. */
  public static Signer signer(String privateKey) {
    if (!privateKey.startsWith(PRIVATE_PREFIX)) {
      throw new IllegalArgumentException("a note private key starts with " + PRIVATE_PREFIX);
    }
    // The base64 key may itself hold '+': split off the name and id only.
    String[] parts = privateKey.substring(PRIVATE_PREFIX.length()).split("\\+", 3);
    if (parts.length != 3) {
      throw new IllegalArgumentException("a note private key is PRIVATE+KEY+name+id+key");
    }
    byte[] typedSeed = Base64.getDecoder().decode(parts[2].trim());
    if (typedSeed.length != 33 || typedSeed[0] != ED25519) {
      throw new IllegalArgumentException("only Ed25519 note keys (type 0x01) are supported");
    }
    byte[] seed = Arrays.copyOfRange(typedSeed, 1, 33);
    try {
      PrivateKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
      byte[] publicKey = publicKeyOf(seed);
      byte[] id = keyId(parts[0], publicKey);
      if (!HEX.formatHex(id).equals(parts[1])) {
        throw new IllegalArgumentException(
            "the key id " + parts[1] + " does not match the key (" + HEX.formatHex(id) + ")");
      }
      return new Signer(parts[0], id, key, publicKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not an Ed25519 key", e);
    }
  }

  /** A new random private key named {@code name}, in Go's note format. */
  public static String newPrivateKey(String name) {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    byte[] publicKey = publicKeyOf(seed);
    return PRIVATE_PREFIX
        + name
        + "+"
        + HEX.formatHex(keyId(name, publicKey))
        + "+"
        + Base64.getEncoder().encodeToString(typed(seed));
  }

  /** The key id of an Ed25519 key named {@code name}. */
  public static byte[] keyId(String name, byte[] publicKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
      sha.update(ED25519);
      sha.update(publicKey);
      return Arrays.copyOf(sha.digest(), 4);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean verify(String text, byte[] signature, byte[] publicKey) {
    try {
      Signature ed = Signature.getInstance("Ed25519");
      ed.initVerify(publicKey(publicKey));
      ed.update(text.getBytes(StandardCharsets.UTF_8));
      return ed.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The public key of an Ed25519 seed: Java 17 derives it when generating from that seed. */
  private static byte[] publicKeyOf(byte[] seed) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(
          NamedParameterSpec.ED25519,
          new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
              System.arraycopy(seed, 0, bytes, 0, bytes.length);
            }
          });
      KeyPair pair = generator.generateKeyPair();
      byte[] encoded = pair.getPublic().getEncoded();
      return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every Java 17 runtime", e);
    }
  }

  /** A Java public key from the raw 32 bytes (RFC 8032: little-endian y, x's parity on top). */
  private static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    byte[] littleEndian = raw.clone();
    boolean xOdd = (littleEndian[31] & 0x80) != 0;
    littleEndian[31] &= 0x7f;
    byte[] bigEndian = new byte[32];
    for (int i = 0; i < 32; i++) {
      bigEndian[i] = littleEndian[31 - i];
    }
    return KeyFactory.getInstance("Ed25519")
        .generatePublic(
            new EdECPublicKeySpec(
                NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, bigEndian))));
  }

  private static byte[] typed(byte[] key) {
    byte[] out = new byte[key.length + 1];
    out[0] = ED25519;
    System.arraycopy(key, 0, out, 1, key.length);
    return out;
  }
}
