package dev.slipway.launcher.audit;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A checkpoint of the audit log read from its C2SP signed note (c2sp.org/signed-note,
 * c2sp.org/tlog-checkpoint), written here from the specifications, not from the service's code:
 * origin, tree size and base64 root on the first three lines, a blank line, then signature lines
 * {@code — <key name> base64(4-byte key id || Ed25519 signature)} over the text before the blank
 * line.
 *
 * @param origin the log's name
 * @param treeSize rows in the log when it was signed
 * @param rootHash the Merkle root at that size
 * @param signatureChecked whether a key was given and its signature verified
 */
public record CheckpointNote(
    String origin, long treeSize, byte[] rootHash, boolean signatureChecked) {

  private static final String DASH = "\u2014 ";

  /**
   * Reads a note and, when {@code verifierKey} is given ({@code name+hexid+base64(0x01||key)}),
   * checks that key signed it.
   *
   * @throws IllegalArgumentException when the note is malformed or not signed by that key
   */
  public static CheckpointNote read(String note, String verifierKey) {
    int blank = note.lastIndexOf("\n\n");
    if (blank < 0) {
      throw new IllegalArgumentException("not a signed note: no blank line before signatures");
    }
    String text = note.substring(0, blank + 1);
    String[] lines = text.split("\n");
    if (lines.length < 3) {
      throw new IllegalArgumentException("not a checkpoint: it needs origin, size and root lines");
    }
    long size;
    byte[] root;
    try {
      size = Long.parseLong(lines[1]);
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a checkpoint: " + e.getMessage());
    }
    boolean checked = false;
    if (verifierKey != null) {
      String[] key = verifierKey.trim().split("\\+", 3);
      if (key.length != 3) {
        throw new IllegalArgumentException("a verifier key is name+keyid+key");
      }
      byte[] typed = Base64.getDecoder().decode(key[2]);
      if (typed.length != 33 || typed[0] != 1) {
        throw new IllegalArgumentException("only Ed25519 verifier keys are supported");
      }
      byte[] publicKey = Arrays.copyOfRange(typed, 1, 33);
      byte[] id = keyId(key[0], publicKey);
      if (!HexFormat.of().formatHex(id).equals(key[1])) {
        throw new IllegalArgumentException("the verifier key's id does not match its key");
      }
      for (String line : note.substring(blank + 2).split("\n")) {
        if (!line.startsWith(DASH)) {
          continue;
        }
        String[] parts = line.substring(DASH.length()).split(" ");
        if (parts.length != 2 || !parts[0].equals(key[0])) {
          continue;
        }
        byte[] signed = Base64.getDecoder().decode(parts[1]);
        if (signed.length == 68 && Arrays.equals(Arrays.copyOf(signed, 4), id)) {
          checked = ed25519(text, Arrays.copyOfRange(signed, 4, 68), publicKey);
          if (!checked) {
            throw new IllegalArgumentException("the checkpoint's signature does not verify");
          }
          break;
        }
      }
      if (!checked) {
        throw new IllegalArgumentException("the checkpoint carries no signature of " + key[0]);
      }
    }
    return new CheckpointNote(lines[0], size, root, checked);
  }

  /** A new key pair as {@code [private key, verifier key]} in the note formats. */
  public static String[] newKey(String name) {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    byte[] publicKey;
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
      byte[] encoded = generator.generateKeyPair().getPublic().getEncoded();
      publicKey = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of Java 17", e);
    }
    String id = HexFormat.of().formatHex(keyId(name, publicKey));
    return new String[] {
      "PRIVATE+KEY+" + name + "+" + id + "+" + Base64.getEncoder().encodeToString(typed(seed)),
      name + "+" + id + "+" + Base64.getEncoder().encodeToString(typed(publicKey))
    };
  }

  private static byte[] typed(byte[] key) {
    byte[] out = new byte[33];
    out[0] = 1;
    System.arraycopy(key, 0, out, 1, 32);
    return out;
  }

  private static byte[] keyId(String name, byte[] publicKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((name + "\n").getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 1);
      return Arrays.copyOf(sha.digest(publicKey), 4);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean ed25519(String text, byte[] signature, byte[] raw) {
    try {
      // RFC 8032 encodes y little-endian with x's low bit in the top bit of the last byte.
      byte[] y = new byte[32];
      for (int i = 0; i < 32; i++) {
        y[i] = raw[31 - i];
      }
      boolean xOdd = (y[0] & 0x80) != 0;
      y[0] &= 0x7f;
      PublicKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(
                  new EdECPublicKeySpec(
                      NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, y))));
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(text.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
