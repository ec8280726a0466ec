package dev.slipway.events.attestation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * DSSE v1 (secure-systems-lab/dsse, {@code protocol.md}): what a signature covers. A signer signs,
 * and a verifier checks, the pre-authentication encoding {@code PAE(type, body)} = {@code "DSSEv1"
 * SP LEN(type) SP type SP LEN(body) SP body}, lengths as ASCII decimal byte counts, so neither the
 * payload type nor the payload can be changed without breaking the signature.
 */
public final class Dsse {

  /** Payload type of an in-toto statement in a DSSE envelope. */
  public static final String INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

  /** Media type of a DSSE envelope as a file, an OCI layer or an artifact type. */
  public static final String ENVELOPE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";

  private Dsse() {}

  /** The bytes a DSSE signature is made over. */
  public static byte[] pae(String payloadType, byte[] body) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(type.length + body.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    return out.toByteArray();
  }
}
