package dev.slipway.events.attestation;

import java.util.ArrayList;
import java.util.List;

/**
 * What a consumer of an image (deploy-service before it applies a digest; scan-service may ask the
 * same) requires of its provenance, decided from an {@link ImageVerifier.Report}: at least one SLSA
 * v1 provenance whose signature a trusted build key made, whose subject is the digest in question
 * (both checked by {@link ImageVerifier}), whose builder is Slipway's, and, when known, whose
 * source is the application's repository and the run's commit. Pure: the registry is read
 * elsewhere.
 *
 * @param builderId the {@code runDetails.builder.id} Slipway's build-service writes
 * @param repository the application's repository URL, or null when not checked
 * @param commit the commit the run built, or null when not checked
 */
public record ProvenancePolicy(String builderId, String repository, String commit) {

  /** The builder id build-service writes unless configured otherwise. */
  public static final String SLIPWAY_BUILDER = "https://slipway.dev/build-service";

  public ProvenancePolicy {
    if (builderId == null || builderId.isBlank()) {
      throw new IllegalArgumentException("a builder id is required");
    }
  }

  /**
   * The outcome.
   *
   * @param provenance the provenance that satisfied the policy, null when none did
   * @param keyId the trusted key that signed it, null when none did
   * @param refusal why the image is refused, null when it is accepted
   */
  public record Decision(SlsaProvenance provenance, String keyId, String refusal) {
    /** Whether the image may be used. */
    public boolean accepted() {
      return refusal == null;
    }
  }

  /** Decides on {@code digest} from what {@link ImageVerifier} found attached to it. */
  public Decision decide(ImageVerifier.Report report, String digest) {
    List<String> mismatches = new ArrayList<>();
    for (ImageVerifier.Finding finding : report.findings()) {
      if (finding.provenance() == null) {
        continue;
      }
      List<String> wrong = mismatches(finding.provenance());
      if (wrong.isEmpty()) {
        return new Decision(finding.provenance(), finding.keyId(), null);
      }
      mismatches.add(
          "the provenance signed by " + finding.keyId() + " " + String.join(" and ", wrong));
    }
    if (!mismatches.isEmpty()) {
      return refused(String.join("; ", mismatches));
    }
    if (report.findings().isEmpty()) {
      return refused(
          "no attestation is attached to " + digest + ": it is unsigned, or not built by Slipway");
    }
    List<String> problems =
        report.findings().stream()
            .filter(f -> f.problem() != null)
            .map(ImageVerifier.Finding::problem)
            .distinct()
            .toList();
    return refused(
        "no provenance signed by a trusted build key names "
            + digest
            + (problems.isEmpty()
                ? " (its " + report.findings().size() + " attestation(s) hold no SLSA provenance)"
                : ": " + String.join("; ", problems)));
  }

  private List<String> mismatches(SlsaProvenance provenance) {
    List<String> wrong = new ArrayList<>();
    String builder = provenance.runDetails().builder().id();
    if (!builderId.equals(builder)) {
      wrong.add("was made by builder " + builder + ", not Slipway's (" + builderId + ")");
    }
    SlsaProvenance.Source source = provenance.buildDefinition().externalParameters().source();
    if (repository != null && !sameRepository(repository, source.repository())) {
      wrong.add("names repository " + source.repository() + ", not " + repository);
    }
    if (commit != null && !commit.equalsIgnoreCase(source.commit())) {
      wrong.add("names commit " + source.commit() + ", not the run's " + commit);
    }
    return wrong;
  }

  /** The same repository, however its URL ends ({@code .git}, a slash). */
  static boolean sameRepository(String expected, String actual) {
    return trim(expected).equals(trim(actual));
  }

  private static String trim(String url) {
    String trimmed = url.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (trimmed.endsWith(".git")) {
      trimmed = trimmed.substring(0, trimmed.length() - 4);
    }
    return trimmed;
  }

  private static Decision refused(String why) {
    return new Decision(null, null, why);
  }
}
