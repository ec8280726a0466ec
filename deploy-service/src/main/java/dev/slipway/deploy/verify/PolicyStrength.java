package dev.slipway.deploy.verify;

import dev.slipway.events.ScanPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a scan verdict reached under one policy answers for another: the policy it was reached
 * under must be at least as strict as the one the registry holds now (fails on the same severity or
 * a lower one, ignores unfixed findings only if the registry does, denies every licence the
 * registry denies). Pure.
 */
public final class PolicyStrength {

  private PolicyStrength() {}

  /** What {@code used} lets through that {@code required} would not; empty when nothing. */
  public static Optional<String> weakerThan(ScanPolicy used, ScanPolicy required) {
    List<String> weaker = new ArrayList<>();
    if (used.failOn().compareTo(required.failOn()) > 0) {
      weaker.add("fails only on " + used.failOn() + ", not from " + required.failOn());
    }
    if (used.ignoreUnfixed() && !required.ignoreUnfixed()) {
      weaker.add("ignores unfixed findings");
    }
    List<String> missing =
        required.deniedLicenses().stream().filter(l -> !used.deniedLicenses().contains(l)).toList();
    if (!missing.isEmpty()) {
      weaker.add("does not deny " + missing);
    }
    return weaker.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", weaker));
  }
}
