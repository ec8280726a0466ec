package dev.slipway.events.attestation;

import java.io.IOException;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.function.Predicate;

/**
 * Whether an image, named by its reference and the digest about to be used, was built by Slipway:
 * reads its attestations from its registry ({@link ImageVerifier}: referrers API, tag-schema
 * fallback, cosign's {@code .att}), checks their signatures with the trusted build keys and decides
 * with a {@link ProvenancePolicy}. Fails closed: an unreadable reference or registry is a refusal
 * that says so. Blocking (HTTP to the registry).
 */
public final class ProvenanceVerifier {

  private final List<ECPublicKey> trusted;
  private final Predicate<String> plainHttp;

  /**
   * A verifier trusting {@code trusted}; {@code plainHttp} says which registries ({@code
   * host[:port]}) are read over plain HTTP (loopback ones always are).
   */
  public ProvenanceVerifier(List<ECPublicKey> trusted, Predicate<String> plainHttp) {
    if (trusted.isEmpty()) {
      throw new IllegalArgumentException("no trusted build key");
    }
    this.trusted = List.copyOf(trusted);
    this.plainHttp = plainHttp;
  }

  /** Decides on {@code image@digest} under {@code policy}. */
  public ProvenancePolicy.Decision verify(String image, String digest, ProvenancePolicy policy) {
    ImageName name;
    try {
      name = ImageName.parse(image);
      OciAttestations.hex(digest);
    } catch (IllegalArgumentException e) {
      return new ProvenancePolicy.Decision(
          null, null, "cannot look up its provenance: " + e.getMessage());
    }
    RegistryReader registry =
        new RegistryReader(
            name.registry(),
            RegistryReader.isLoopback(name.registry()) || plainHttp.test(name.registry()));
    ImageVerifier.Report report;
    try {
      report = new ImageVerifier(registry, trusted).verify(name.repository(), digest);
    } catch (IOException e) {
      return new ProvenancePolicy.Decision(
          null,
          null,
          "its provenance could not be read from " + name.registry() + ": " + e.getMessage());
    }
    return policy.decide(report, digest);
  }
}
