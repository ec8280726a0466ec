package dev.slipway.events.attestation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventJson;
import dev.slipway.events.Require;
import java.util.Base64;
import java.util.List;

/**
 * A DSSE v1 envelope ({@code envelope.md}) as JSON: {@code {"payloadType", "payload": base64(body),
 * "signatures": [{"keyid", "sig": base64(signature)}]}}. The payload is kept as the base64 text
 * that was read, so a verifier checks exactly the bytes the signer signed.
 *
 * @param payloadType what the body is, e.g. {@link Dsse#INTOTO_PAYLOAD_TYPE}
 * @param payload the body, base64 (standard alphabet; URL-safe is accepted on reading)
 * @param signatures one or more signatures over {@link #pae()}
 */
@JsonPropertyOrder({"payloadType", "payload", "signatures"})
public record DsseEnvelope(String payloadType, String payload, List<Signature> signatures) {

  public DsseEnvelope {
    Require.text(payloadType, "payloadType");
    Require.present(payload, "payload");
    Require.present(signatures, "signatures");
    signatures = List.copyOf(signatures);
  }

  /**
   * One signature.
   *
   * @param keyid which key made it (a hint only: a verifier tries the keys it trusts); Slipway
   *     writes {@link PublicKeys#keyId}
   * @param sig base64 of the signature (ECDSA P-256 over SHA-256, ASN.1 DER)
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({"keyid", "sig"})
  public record Signature(String keyid, String sig) {
    public Signature {
      keyid = keyid == null ? "" : keyid;
      Require.text(sig, "sig");
    }

    /** The signature's bytes; an {@link EventFormatException} when {@code sig} is not base64. */
    public byte[] bytes() {
      return decode(sig, "signatures[].sig");
    }
  }

  /** Reads an envelope; an {@link EventFormatException} names what is missing or mistyped. */
  public static DsseEnvelope read(byte[] json) {
    return EventJson.readPayload(json, DsseEnvelope.class);
  }

  /** This envelope as JSON. */
  public byte[] toJson() {
    return EventJson.writePayload(this);
  }

  /** The body the payload carries. */
  @JsonIgnore
  public byte[] body() {
    return decode(payload, "payload");
  }

  /** What the signatures were made over. */
  public byte[] pae() {
    return Dsse.pae(payloadType, body());
  }

  private static byte[] decode(String text, String field) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException standard) {
      try {
        return Base64.getUrlDecoder().decode(text);
      } catch (IllegalArgumentException urlSafe) {
        throw new EventFormatException(field, "is not base64");
      }
    }
  }
}
