package dev.slipway.events.attestation;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventJson;
import dev.slipway.events.Require;
import java.util.List;
import java.util.Map;

/**
 * An in-toto Statement v1 ({@code in-toto/attestation spec/v1/statement.md}): what is attested
 * ({@code subject}, by digest), what kind of claim it is ({@code predicateType}) and the claim.
 * Only the four fields of the specification are written: cosign reads statements with protobuf's
 * JSON parser, which refuses unknown fields.
 *
 * @param type always {@link #TYPE}
 * @param subject the artifacts the claim is about, each by name and digest
 * @param predicateType e.g. {@link #SLSA_PROVENANCE_V1} or {@link #CYCLONEDX_BOM}
 * @param predicate the claim; its schema is the predicate type's
 */
@JsonPropertyOrder({"_type", "subject", "predicateType", "predicate"})
public record Statement(
    @JsonProperty("_type") String type,
    List<Subject> subject,
    String predicateType,
    JsonNode predicate) {

  /** {@code _type} of an in-toto Statement v1. */
  public static final String TYPE = "https://in-toto.io/Statement/v1";

  /** Predicate type of a SLSA v1 build provenance ({@link SlsaProvenance}). */
  public static final String SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";

  /** Predicate type of a CycloneDX SBOM as the predicate (cosign's {@code --type cyclonedx}). */
  public static final String CYCLONEDX_BOM = "https://cyclonedx.org/bom";

  public Statement {
    Require.text(type, "_type");
    Require.noNulls(Require.present(subject, "subject"), "subject");
    subject = List.copyOf(subject);
    Require.text(predicateType, "predicateType");
    Require.present(predicate, "predicate");
  }

  /**
   * One subject.
   *
   * @param name e.g. the image repository {@code registry/application}
   * @param digest algorithm to lower-case hex, e.g. {@code sha256}
   */
  public record Subject(String name, Map<String, String> digest) {
    public Subject {
      Require.present(name, "subject[].name");
      digest = Map.copyOf(Require.present(digest, "subject[].digest"));
    }

    /** The subject of an OCI artifact with digest {@code sha256:<hex>}. */
    public static Subject ofOci(String name, String digest) {
      return new Subject(name, Map.of("sha256", OciAttestations.hex(digest)));
    }

    /** Whether this subject is the artifact with digest {@code sha256:<hex>}. */
    public boolean is(String digest) {
      return OciAttestations.hex(digest).equals(this.digest.get("sha256"));
    }
  }

  /** Reads a statement; an {@link EventFormatException} names what is missing or mistyped. */
  public static Statement read(byte[] json) {
    Statement statement = EventJson.readPayload(json, Statement.class);
    if (!TYPE.equals(statement.type())) {
      throw new EventFormatException(
          "_type", "is " + statement.type() + ", not an in-toto Statement v1 (" + TYPE + ")");
    }
    return statement;
  }

  /** The statement as JSON: the payload of its DSSE envelope. */
  public byte[] toJson() {
    return EventJson.writePayload(this);
  }

  /** Whether one of the subjects is the artifact with digest {@code sha256:<hex>}. */
  public boolean isAbout(String digest) {
    return subject.stream().anyMatch(s -> s.is(digest));
  }
}
