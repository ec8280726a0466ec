package dev.slipway.events.attestation;

/**
 * Where and how signed statements are attached to an image in an OCI registry, so that
 * build-service, deploy-service, {@code ./slipway verify-image} and cosign find them:
 *
 * <ul>
 *   <li>one OCI 1.1 referrer per statement: an image manifest whose {@code subject} is the image's
 *       manifest, {@code artifactType} {@link Dsse#ENVELOPE_MEDIA_TYPE}, the empty config, one
 *       layer holding the DSSE envelope, and the predicate type as the manifest annotation {@link
 *       #INTOTO_PREDICATE_TYPE}. A registry without the referrers API gets the OCI tag-schema
 *       fallback: an image index tagged {@link #fallbackTag} listing the referrers;
 *   <li>cosign's own layout besides, which {@code cosign verify-attestation} reads: one image
 *       manifest tagged {@link #cosignTag} whose layers are all the image's attestation envelopes,
 *       each with the annotations {@link #COSIGN_SIGNATURE} (empty) and {@link
 *       #COSIGN_PREDICATE_TYPE}.
 * </ul>
 */
public final class OciAttestations {

  /** Media type of an OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  /** Media type of an OCI image index (the referrers list and its fallback tag). */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  /** Media type of the empty config ({@code {}}) of an artifact. */
  public static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";

  /** Media type of the config of cosign's {@code .att} image. */
  public static final String OCI_IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";

  /** Manifest annotation of a referrer: the statement's predicate type. */
  public static final String INTOTO_PREDICATE_TYPE = "in-toto.io/predicate-type";

  /** Layer annotation cosign requires on every signature layer; empty for an attestation. */
  public static final String COSIGN_SIGNATURE = "dev.cosignproject.cosign/signature";

  /** Layer annotation cosign writes on an attestation layer: the predicate type. */
  public static final String COSIGN_PREDICATE_TYPE = "predicateType";

  /** Annotation of when an artifact was made (RFC 3339). */
  public static final String CREATED = "org.opencontainers.image.created";

  /** Response header of a registry that indexed a manifest's {@code subject} (referrers API). */
  public static final String OCI_SUBJECT_HEADER = "OCI-Subject";

  private OciAttestations() {}

  /** The OCI referrers tag-schema fallback tag of a manifest: {@code sha256-<hex>}. */
  public static String fallbackTag(String digest) {
    return "sha256-" + hex(digest);
  }

  /** cosign's attestation tag of a manifest: {@code sha256-<hex>.att}. */
  public static String cosignTag(String digest) {
    return fallbackTag(digest) + ".att";
  }

  /** The hex of a {@code sha256:<hex>} digest; anything else is refused. */
  public static String hex(String digest) {
    if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a sha256 digest: " + digest);
    }
    return digest.substring("sha256:".length());
  }
}
