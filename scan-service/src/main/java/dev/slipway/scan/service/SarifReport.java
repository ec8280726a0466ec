package dev.slipway.scan.service;

import com.contrastsecurity.sarif.ArtifactLocation;
import com.contrastsecurity.sarif.Location;
import com.contrastsecurity.sarif.LogicalLocation;
import com.contrastsecurity.sarif.Message;
import com.contrastsecurity.sarif.MultiformatMessageString;
import com.contrastsecurity.sarif.PhysicalLocation;
import com.contrastsecurity.sarif.PropertyBag;
import com.contrastsecurity.sarif.ReportingConfiguration;
import com.contrastsecurity.sarif.ReportingDescriptor;
import com.contrastsecurity.sarif.Result;
import com.contrastsecurity.sarif.Run;
import com.contrastsecurity.sarif.SarifSchema210;
import com.contrastsecurity.sarif.Suppression;
import com.contrastsecurity.sarif.Tool;
import com.contrastsecurity.sarif.ToolComponent;
import dev.slipway.events.ScanDone.Finding;
import dev.slipway.events.Severity;
import dev.slipway.scan.Scan;
import dev.slipway.scan.repository.AdvisoryRepository.AdvisorySummary;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A scan as a SARIF 2.1.0 log (java-sarif's model), the way GitHub code scanning reads
 * vulnerability scanners: one rule per advisory with its {@code security-severity}, one result per
 * finding at the component's purl, {@code error} when it failed the gate, ignored findings as
 * suppressed results with their justification.
 */
public final class SarifReport {

  private static final URI SCHEMA = URI.create("https://json.schemastore.org/sarif-2.1.0.json");
  private static final URI INFORMATION = URI.create("https://slipway.dev/scan-service");

  private SarifReport() {}

  /** The SARIF log of {@code scan}, whose rules are described by {@code advisories}. */
  public static SarifSchema210 of(Scan scan, Map<String, AdvisorySummary> advisories) {
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    List<ReportingDescriptor> rules = new ArrayList<>();
    List<Result> results = new ArrayList<>();
    for (Finding finding : scan.findings()) {
      Integer index = ruleIndex.get(finding.advisoryId());
      if (index == null) {
        index = rules.size();
        ruleIndex.put(finding.advisoryId(), index);
        rules.add(rule(finding, advisories.get(finding.advisoryId())));
      }
      results.add(result(finding, index));
    }
    PropertyBag runProperties =
        new PropertyBag()
            .withAdditionalProperty("scanId", scan.scanId())
            .withAdditionalProperty("status", scan.status().name())
            .withAdditionalProperty("dbVersion", String.valueOf(scan.dbVersion()));
    if (scan.imageDigest() != null) {
      runProperties.withAdditionalProperty("imageDigest", scan.imageDigest());
    }
    Run run =
        new Run()
            .withTool(
                new Tool()
                    .withDriver(
                        new ToolComponent()
                            .withName("Slipway scan-service")
                            .withInformationUri(INFORMATION)
                            .withRules(new LinkedHashSet<>(rules))))
            .withResults(results)
            .withProperties(runProperties);
    return new SarifSchema210()
        .with$schema(SCHEMA)
        .withVersion(SarifSchema210.Version._2_1_0)
        .withRuns(List.of(run));
  }

  private static ReportingDescriptor rule(Finding finding, AdvisorySummary advisory) {
    String summary =
        advisory != null && advisory.summary() != null
            ? advisory.summary()
            : finding.advisoryId() + " in " + finding.packageUrl();
    Double score = advisory == null ? null : advisory.cvssScore();
    Set<String> tags = new LinkedHashSet<>(List.of("security", "vulnerability"));
    tags.add(finding.severity().name().toLowerCase(Locale.ROOT));
    PropertyBag properties =
        new PropertyBag()
            .withTags(tags)
            .withAdditionalProperty(
                "security-severity", securitySeverity(finding.severity(), score))
            .withAdditionalProperty("aliases", finding.aliases());
    return new ReportingDescriptor()
        .withId(finding.advisoryId())
        .withName(finding.advisoryId().replaceAll("[^A-Za-z0-9]", ""))
        .withShortDescription(new MultiformatMessageString().withText(summary))
        .withFullDescription(new MultiformatMessageString().withText(summary))
        .withHelpUri(URI.create("https://osv.dev/vulnerability/" + finding.advisoryId()))
        .withHelp(
            new MultiformatMessageString()
                .withText(
                    summary
                        + (finding.aliases().isEmpty()
                            ? ""
                            : " (" + String.join(", ", finding.aliases()) + ")")))
        .withDefaultConfiguration(new ReportingConfiguration().withLevel(level(finding.severity())))
        .withProperties(properties);
  }

  private static Result result(Finding finding, int ruleIndex) {
    String fix =
        finding.fixedVersion() == null
            ? "no fixed version is known"
            : "fixed in " + finding.fixedVersion();
    Result result =
        new Result()
            .withRuleId(finding.advisoryId())
            .withRuleIndex(ruleIndex)
            .withLevel(
                finding.blocking()
                    ? Result.Level.ERROR
                    : finding.severity().compareTo(Severity.MEDIUM) >= 0
                        ? Result.Level.WARNING
                        : Result.Level.NOTE)
            .withMessage(
                new Message()
                    .withText(
                        finding.packageUrl()
                            + " "
                            + finding.version()
                            + " is affected by "
                            + finding.advisoryId()
                            + " ("
                            + finding.severity()
                            + "); "
                            + fix
                            + (finding.note() == null ? "" : ". " + finding.note())))
            .withLocations(
                List.of(
                    new Location()
                        .withPhysicalLocation(
                            new PhysicalLocation()
                                .withArtifactLocation(
                                    new ArtifactLocation().withUri(finding.packageUrl())))
                        .withLogicalLocations(
                            Set.of(
                                new LogicalLocation()
                                    .withFullyQualifiedName(finding.packageUrl())
                                    .withKind("package")))));
    if (finding.ignored()) {
      result.withSuppressions(
          Set.of(
              new Suppression()
                  .withKind(Suppression.Kind.EXTERNAL)
                  .withJustification(
                      finding.note() == null ? "ignored by policy" : finding.note())));
    }
    return result;
  }

  private static ReportingConfiguration.Level level(Severity severity) {
    return switch (severity) {
      case CRITICAL, HIGH -> ReportingConfiguration.Level.ERROR;
      case MEDIUM -> ReportingConfiguration.Level.WARNING;
      default -> ReportingConfiguration.Level.NOTE;
    };
  }

  /** GitHub's numeric severity: the CVSS score, else a representative score of the rating. */
  private static String securitySeverity(Severity severity, Double score) {
    if (score != null) {
      return String.valueOf(score);
    }
    return switch (severity) {
      case CRITICAL -> "9.5";
      case HIGH -> "8.0";
      case MEDIUM -> "5.5";
      case LOW -> "2.0";
      case UNKNOWN -> "0.0";
    };
  }
}
