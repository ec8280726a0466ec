package dev.slipway.scan.policy;

import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.ScanDone.LicenseViolation;
import dev.slipway.events.ScanDone.Verdict;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.VulnerabilityIgnore;
import dev.slipway.scan.match.MatchedFinding;
import dev.slipway.scan.sbom.SbomComponent;
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
 * {@code failOn} severity (one whose advisory states no severity counts as {@code
 * unknownSeverityAs}, HIGH by default) and nothing leaves it out: any ignore of the repository that
 * still holds and names the finding's id or one of its aliases leaves it out, whatever expired
 * ignores name it too; an expired one alone no longer does and the finding says so. With {@code
 * ignoreUnfixed} a finding no fixed version is known for is left out too. Any component under a
 * denied licence fails the gate as well, with or without a package URL.
 */
public final class PolicyGate {

  private static final int NAMED_IN_REASON = 5;

  private PolicyGate() {}

  /** Applies {@code policy} and {@code ignores} on {@code today} to a scan's findings. */
  public static GateResult evaluate(
      List<MatchedFinding> matched,
      List<SbomComponent> components,
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
    for (SbomComponent component : components) {
      for (String denied : licenses.deniedOf(component.licenses())) {
        violations.add(new LicenseViolation(component.purl(), denied, component.label()));
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
    List<VulnerabilityIgnore> naming =
        ignores.stream().filter(i -> finding.isNamed(i.id())).toList();
    Optional<VulnerabilityIgnore> active =
        naming.stream()
            .filter(i -> i.activeOn(today))
            .max(Comparator.comparing(VulnerabilityIgnore::expires));
    Optional<VulnerabilityIgnore> expired =
        naming.stream().max(Comparator.comparing(VulnerabilityIgnore::expires));
    boolean ignored = false;
    List<String> notes = new ArrayList<>();
    if (active.isPresent()) {
      ignored = true;
      notes.add("ignored until " + active.get().expires() + ": " + active.get().reason());
    } else if (expired.isPresent()) {
      notes.add(
          "ignore expired on "
              + expired.get().expires()
              + " ("
              + expired.get().reason()
              + "): no longer suppressed");
    }
    if (!ignored && policy.ignoreUnfixed() && finding.fixedVersion() == null) {
      ignored = true;
      notes.add("no fixed version known; the policy ignores unfixed findings");
    }
    Severity gatedAs = gatedSeverity(finding.severity(), policy);
    if (finding.severity() == Severity.UNKNOWN) {
      notes.add("the advisory states no severity; gated as " + gatedAs);
    }
    boolean blocking = !ignored && gatedAs.compareTo(policy.failOn()) >= 0;
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

  /** The severity a finding is gated as: its own, or the policy's for one that states none. */
  public static Severity gatedSeverity(Severity severity, ScanPolicy policy) {
    return severity == Severity.UNKNOWN ? policy.unknownSeverityAs() : severity;
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
              + named(violations.stream().map(v -> v.license() + " in " + v.component()).toList()));
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
