package dev.slipway.scan.service;

import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.LicenseViolation;
import dev.slipway.events.ScanDone.Verdict;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The gate between build and the first deploy. A finding blocks when it is at or above the policy's
 * {@code failOn} severity and nothing leaves it out: an ignore of the repository that still holds
 * (by id or alias) leaves it out, an expired one no longer does and the finding says so; with
 * {@code ignoreUnfixed} a finding no fixed version is known for is left out too. A component under
 * a denied licence fails the gate as well.
 */
public final class PolicyGate {

  private static final int NAMED_IN_REASON = 5;

  private PolicyGate() {}

  /** Applies {@code policy} and {@code ignores} on {@code today} to a scan's findings. */
  public static GateResult evaluate(
      List<MatchedFinding> matched,
      List<Component> components,
      ScanPolicy policy,
      List<VulnerabilityIgnore> ignores,
      LocalDate today) {
    Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
    for (Severity severity : Severity.values()) {
      counts.put(severity, 0);
    }
    List<Finding> findings = new ArrayList<>();
    for (MatchedFinding finding : matched) {
      counts.merge(finding.severity(), 1, Integer::sum);
      findings.add(judge(finding, policy, ignores, today));
    }
    findings.sort(
        Comparator.comparing(Finding::blocking)
            .reversed()
            .thenComparing(Finding::severity, Comparator.reverseOrder())
            .thenComparing(Finding::advisoryId)
            .thenComparing(Finding::packageUrl));

    LicensePolicy licenses = new LicensePolicy(policy.deniedLicenses());
    List<LicenseViolation> violations = new ArrayList<>();
    for (Component component : components) {
      for (String denied : licenses.deniedOf(component.licenses())) {
        violations.add(new LicenseViolation(component.purl(), denied));
      }
    }
    List<Finding> blocking = findings.stream().filter(Finding::blocking).toList();
    Verdict verdict = blocking.isEmpty() && violations.isEmpty() ? Verdict.PASSED : Verdict.FAILED;
    return new GateResult(
        verdict, counts, findings, violations, reason(policy, findings, blocking, violations));
  }

  private static Finding judge(
      MatchedFinding finding,
      ScanPolicy policy,
      List<VulnerabilityIgnore> ignores,
      LocalDate today) {
    Optional<VulnerabilityIgnore> ignore =
        ignores.stream().filter(i -> finding.isNamed(i.id())).findFirst();
    boolean ignored = false;
    List<String> notes = new ArrayList<>();
    if (ignore.isPresent()) {
      VulnerabilityIgnore rule = ignore.get();
      if (rule.activeOn(today)) {
        ignored = true;
        notes.add("ignored until " + rule.expires() + ": " + rule.reason());
      } else {
        notes.add(
            "ignore expired on "
                + rule.expires()
                + " ("
                + rule.reason()
                + "): no longer suppressed");
      }
    }
    if (!ignored && policy.ignoreUnfixed() && finding.fixedVersion() == null) {
      ignored = true;
      notes.add("no fixed version known; the policy ignores unfixed findings");
    }
    boolean blocking = !ignored && finding.severity().compareTo(policy.failOn()) >= 0;
    return new Finding(
        finding.advisoryId(),
        finding.packageUrl(),
        finding.version(),
        finding.severity(),
        finding.fixedVersion(),
        ignored,
        finding.aliases(),
        blocking,
        notes.isEmpty() ? null : String.join("; ", notes));
  }

  private static String reason(
      ScanPolicy policy,
      List<Finding> findings,
      List<Finding> blocking,
      List<LicenseViolation> violations) {
    List<String> parts = new ArrayList<>();
    if (!blocking.isEmpty()) {
      parts.add(
          blocking.size()
              + (blocking.size() == 1 ? " finding" : " findings")
              + " at or above "
              + policy.failOn()
              + ": "
              + named(blocking.stream().map(PolicyGate::describe).toList()));
    }
    if (!violations.isEmpty()) {
      parts.add(
          "denied licence: "
              + named(
                  violations.stream().map(v -> v.license() + " in " + v.packageUrl()).toList()));
    }
    if (parts.isEmpty()) {
      long ignored = findings.stream().filter(Finding::ignored).count();
      return "no finding at or above "
          + policy.failOn()
          + " ("
          + findings.size()
          + " found, "
          + ignored
          + " ignored)";
    }
    return String.join("; ", parts);
  }

  private static String describe(Finding finding) {
    String aliases =
        finding.aliases().isEmpty() ? "" : " (" + String.join(", ", finding.aliases()) + ")";
    return finding.advisoryId()
        + aliases
        + " "
        + finding.severity()
        + " in "
        + finding.packageUrl();
  }

  private static String named(List<String> items) {
    String shown = items.stream().limit(NAMED_IN_REASON).collect(Collectors.joining(", "));
    return items.size() > NAMED_IN_REASON
        ? shown + " and " + (items.size() - NAMED_IN_REASON) + " more"
        : shown;
  }
}
