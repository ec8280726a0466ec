package dev.slipway.events.attestation;

import dev.slipway.events.EventFormatException;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks a DSSE envelope against the keys a verifier trusts. Every signature is tried with every
 * trusted key (an envelope's {@code keyid} is unauthenticated, a hint only); the envelope verifies
 * when one of them does. When none does, the reason says whether a trusted key's signature no
 * longer matches the payload (it was altered after signing) or the envelope was signed by a key
 * that is not trusted.
 */
public final class DsseVerifier {

  private final Map<String, ECPublicKey> trusted = new LinkedHashMap<>();

  /** A verifier trusting {@code keys}. */
  public DsseVerifier(List<ECPublicKey> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no public key to verify with");
    }
    keys.forEach(key -> trusted.put(PublicKeys.keyId(key), key));
  }

  /**
   * The outcome of checking one envelope.
   *
   * @param verified whether a trusted key's signature covers payload type and payload
   * @param keyId the key that verified, or the key id the envelope names when none did
   * @param problem why it did not verify, null when it did
   */
  public record Result(boolean verified, String keyId, String problem) {}

  /** Checks {@code envelope}. */
  public Result verify(DsseEnvelope envelope) {
    byte[] pae;
    try {
      pae = envelope.pae();
    } catch (EventFormatException e) {
      return new Result(false, null, "the envelope's payload is not base64");
    }
    if (envelope.signatures().isEmpty()) {
      return new Result(false, null, "the envelope has no signature");
    }
    String named = envelope.signatures().get(0).keyid();
    for (DsseEnvelope.Signature signature : envelope.signatures()) {
      byte[] sig;
      try {
        sig = signature.bytes();
      } catch (EventFormatException e) {
        continue;
      }
      for (Map.Entry<String, ECPublicKey> key : trusted.entrySet()) {
        if (verifies(key.getValue(), pae, sig)) {
          return new Result(true, key.getKey(), null);
        }
      }
      if (trusted.containsKey(signature.keyid())) {
        named = signature.keyid();
      }
    }
    if (trusted.containsKey(named)) {
      return new Result(
          false,
          named,
          "the signature by trusted key "
              + named
              + " does not match the statement: it was altered after signing");
    }
    return new Result(
        false,
        named,
        "signed by "
            + (named == null || named.isEmpty() ? "an unnamed key" : "key " + named)
            + ", which is not a trusted key ("
            + trusted.keySet().stream().collect(Collectors.joining(", "))
            + ")");
  }

  private static boolean verifies(ECPublicKey key, byte[] pae, byte[] sig) {
    try {
      Signature verifier = Signature.getInstance(PublicKeys.JCA_SIGNATURE);
      verifier.initVerify(key);
      verifier.update(pae);
      return verifier.verify(sig);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // a malformed DER signature is a signature that does not verify
      return false;
    }
  }
}
