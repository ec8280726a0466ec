package dev.slipway.scan.service;

import dev.slipway.events.EventFormatException;
import dev.slipway.events.EventJson;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.TooLargeException;
import dev.slipway.scan.Scan;
import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.config.ScanConfig;
import dev.slipway.scan.repository.ScanQueue;
import dev.slipway.scan.sbom.SbomReader;
import dev.slipway.scan.sbom.SbomReader.SbomFormatException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.parsers.JsonParser;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Ad-hoc scans (POST /api/scans): an uploaded SBOM checked against its CycloneDX schema, scanned
 * under the given policy and stored finished; nothing is deployed and no event is published.
 */
@ApplicationScoped
public class AdhocScans {

  private static final Duration AWAIT = Duration.ofMinutes(5);
  private static final String DEFAULT_APPLICATION = "adhoc";

  private final ScanQueue stored;
  private final ScanService scans;
  private final Scanner scanner;
  private final ScanConfig config;

  public AdhocScans(ScanQueue stored, ScanService scans, Scanner scanner, ScanConfig config) {
    this.stored = stored;
    this.scans = scans;
    this.scanner = scanner;
    this.config = config;
  }

  /**
   * Scans an uploaded SBOM under the given policy and stores the result; deploys nothing. Blocks.
   */
  public Scan adhoc(FileUpload upload, String policyJson, String application, String user) {
    if (upload == null) {
      throw new InvalidInputException(
          "The form part 'sbom' (a CycloneDX JSON file) is required.", "sbom");
    }
    if (upload.size() > config.sbom().maxBytes()) {
      throw new TooLargeException(
          "The SBOM is "
              + upload.size()
              + " bytes; at most "
              + config.sbom().maxBytes()
              + " are accepted.",
          "sbom");
    }
    if (application != null && (application.isBlank() || application.length() > 200)) {
      throw new InvalidInputException("'application' must be 1 to 200 characters.", "application");
    }
    AdhocPolicy policy = policy(policyJson);
    byte[] sbom;
    try {
      sbom = Files.readAllBytes(upload.uploadedFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    validate(sbom);
    ScanOutcome outcome =
        scanner.scan(sbom, policy.policy(), policy.ignores()).await().atMost(AWAIT);
    String scanId = UUID.randomUUID().toString();
    stored
        .insertAdhoc(
            scanId,
            application == null ? DEFAULT_APPLICATION : application,
            user,
            policy.policy(),
            policy.ignores(),
            outcome)
        .await()
        .atMost(AWAIT);
    return scans.find(scanId).await().atMost(AWAIT);
  }

  private static AdhocPolicy policy(String json) {
    if (json == null || json.isBlank()) {
      return AdhocPolicy.DEFAULT;
    }
    try {
      return EventJson.readPayload(json.getBytes(StandardCharsets.UTF_8), AdhocPolicy.class);
    } catch (EventFormatException e) {
      String field = "(body)".equals(e.field()) ? "policy" : "policy." + e.field();
      throw new InvalidInputException("Form part 'policy': " + e.getMessage(), field);
    }
  }

  /** Refuses what the CycloneDX schema of the document's own spec version refuses. */
  private static void validate(byte[] sbom) {
    SbomReader.read(sbom);
    List<ParseException> errors;
    try {
      errors = new JsonParser().validate(sbom);
    } catch (IOException | RuntimeException e) {
      throw new SbomFormatException("the SBOM cannot be validated: " + e.getMessage());
    }
    if (!errors.isEmpty()) {
      throw new SbomFormatException(
          "the SBOM breaks the CycloneDX schema: "
              + errors.get(0).getMessage()
              + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
    }
  }
}
