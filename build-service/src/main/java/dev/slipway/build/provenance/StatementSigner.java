package dev.slipway.build.provenance;

import dev.slipway.events.attestation.Dsse;
import dev.slipway.events.attestation.DsseEnvelope;
import dev.slipway.events.attestation.PublicKeys;
import dev.slipway.events.attestation.Statement;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * Puts an in-toto statement into a DSSE envelope signed with the active key: ECDSA P-256 over
 * SHA-256 of the PAE, ASN.1 DER, the form cosign's and go-securesystemslib's verifiers check.
 */
public final class StatementSigner {

  private final SigningKeyStore.SigningKey key;

  public StatementSigner(SigningKeyStore.SigningKey key) {
    this.key = key;
  }

  /** {@code statement} signed. */
  public DsseEnvelope sign(Statement statement) {
    byte[] body = statement.toJson();
    try {
      Signature signer = Signature.getInstance(PublicKeys.JCA_SIGNATURE);
      signer.initSign(key.privateKey());
      signer.update(Dsse.pae(Dsse.INTOTO_PAYLOAD_TYPE, body));
      Base64.Encoder base64 = Base64.getEncoder();
      return new DsseEnvelope(
          Dsse.INTOTO_PAYLOAD_TYPE,
          base64.encodeToString(body),
          List.of(new DsseEnvelope.Signature(key.keyId(), base64.encodeToString(signer.sign()))));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with key " + key.keyId(), e);
    }
  }
}
