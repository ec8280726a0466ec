package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.launcher.demo.DemoScenario;
import dev.slipway.launcher.demo.DemoScenario.RunReport;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.testsupport.TestTokens;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the audit store, the platform's own record, must say about the demo's three runs through the
 * whole platform (with deploy-service killed and restarted in the middle of the production canary):
 * every stage of the clean run exactly once and after its cause, the scanned digest deployed and
 * serving in prod after a manual approval by someone other than the author, the vulnerable run
 * stopped at the scan, the never-ready run rolled back in dev to the clean run's digest.
 */
final class PipelineStory {

  private final PlatformClient client;

  PipelineStory(PlatformClient client) {
    this.client = client;
  }

  /** Asserts the three runs' stories as the audit store tells them. */
  void assertTold(RunReport clean, RunReport vulnerable, RunReport neverReady) {
    // The clean run: every stage exactly once, each after its cause, through prod.
    assertThat(counts(clean))
        .containsEntry("commit.received", 1L)
        .containsEntry("build.done", 1L)
        .containsEntry("scan.done", 1L)
        .containsEntry("deploy.requested dev", 1L)
        .containsEntry("deploy.done dev", 1L)
        .containsEntry("deploy.requested staging", 1L)
        .containsEntry("deploy.done staging", 1L)
        .containsEntry("deploy.requested prod", 1L)
        .containsEntry("deploy.done prod", 1L);
    assertCausalOrder(clean);
    String built = data(clean, "build.done").path("image").path("digest").asText();
    assertThat(built).startsWith("sha256:");
    assertThat(data(clean, "scan.done").path("imageDigest").asText()).isEqualTo(built);
    assertThat(data(clean, "scan.done").path("verdict").asText()).isEqualTo("PASSED");
    JsonNode prod = deployDone(clean, "prod");
    assertThat(prod.path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(prod.path("imageDigest").asText()).isEqualTo(built);
    assertThat(prod.path("servingDigest").asText()).isEqualTo(built);
    assertThat(prod.path("strategy").asText()).isEqualTo("CANARY");
    assertThat(requested(clean, "prod").path("reason").asText()).isEqualTo("APPROVAL");
    assertThat(requested(clean, "prod").path("approvers").toString())
        .contains(DemoScenario.APPROVER)
        .doesNotContain(DemoScenario.AUTHOR_LOGIN);

    // The vulnerable run ends at the scan, naming the advisory; nothing is deployed.
    assertThat(counts(vulnerable)).containsEntry("scan.done", 1L);
    assertThat(vulnerable.of("deploy.requested")).isEmpty();
    assertThat(vulnerable.of("deploy.done")).isEmpty();
    JsonNode verdict = data(vulnerable, "scan.done");
    assertThat(verdict.path("verdict").asText()).isEqualTo("FAILED");
    assertThat(verdict.path("findings").toString())
        .contains("GHSA-xvch-5gv4-984h", "pkg:npm/minimist@1.2.5");

    // The never-ready run is rolled back in dev to the clean run's digest, and says why.
    JsonNode rolledBack = deployDone(neverReady, "dev");
    assertThat(rolledBack.path("status").asText()).isEqualTo("ROLLED_BACK");
    assertThat(rolledBack.path("servingDigest").asText()).isEqualTo(built);
    assertThat(rolledBack.path("imageDigest").asText())
        .isEqualTo(data(neverReady, "build.done").path("image").path("digest").asText())
        .isNotEqualTo(built);
    assertThat(rolledBack.path("reason").asText()).isNotBlank();
    assertThat(neverReady.of("deploy.requested"))
        .extracting(e -> e.path("environment").asText())
        .containsExactly("dev");
    assertCausalOrder(neverReady);
  }

  /**
   * Each event's cause (its causationid) is in the same run and comes before it in the run's
   * timeline, which audit-service orders by cause: the storage order (seq) of events of different
   * topics is the order the audit consumer happened to fetch them, which Kafka does not fix.
   */
  private void assertCausalOrder(RunReport run) {
    JsonNode timeline =
        client
            .get(
                client.endpoints().audit() + "/api/audit/runs/" + run.runId(),
                TestTokens.token("e2e-auditor", "auditor"))
            .expect(200)
            .json()
            .path("events");
    Map<String, Integer> positionById = new HashMap<>();
    for (JsonNode event : timeline) {
      positionById.put(event.path("eventId").asText(), positionById.size());
    }
    for (JsonNode event : timeline) {
      String cause = event.path("causationId").asText("");
      if (cause.isEmpty()) {
        assertThat(event.path("topic").asText()).isEqualTo("commit.received");
        continue;
      }
      assertThat(positionById)
          .as("the cause of %s is in the run", event.path("topic"))
          .containsKey(cause);
      assertThat(positionById.get(cause))
          .as("%s comes after its cause in the run's timeline", event.path("topic").asText())
          .isLessThan(positionById.get(event.path("eventId").asText()));
    }
  }

  private static Map<String, Long> counts(RunReport run) {
    return run.events().stream()
        .collect(
            Collectors.groupingBy(
                e ->
                    (e.path("topic").asText()
                            + (e.path("topic").asText().startsWith("deploy.")
                                ? " " + e.path("environment").asText()
                                : ""))
                        .trim(),
                Collectors.counting()));
  }

  private static JsonNode data(RunReport run, String topic) {
    List<JsonNode> events = run.of(topic);
    assertThat(events).as(topic).hasSize(1);
    return events.get(0).path("event").path("data");
  }

  private static JsonNode deployDone(RunReport run, String environment) {
    return run.of("deploy.done").stream()
        .filter(e -> environment.equals(e.path("environment").asText()))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no deploy.done for " + environment))
        .path("event")
        .path("data");
  }

  private static JsonNode requested(RunReport run, String environment) {
    return run.of("deploy.requested").stream()
        .filter(e -> environment.equals(e.path("environment").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no deploy.requested for " + environment))
        .path("event")
        .path("data");
  }
}
