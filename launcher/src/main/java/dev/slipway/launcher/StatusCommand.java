package dev.slipway.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.launcher.platform.LocalContainers;
import dev.slipway.launcher.platform.LocalPlatform;
import dev.slipway.launcher.platform.Platform;
import dev.slipway.launcher.platform.PlatformService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./slipway status}: each service's health, its process (pid, start time, resident memory),
 * the consumer lag of every consumer group per topic, the latest runs with the stage each has
 * reached (from the audit store), the advisory database with what re-evaluation newly found on
 * running digests (from scan-service), and whether what runs in each environment still matches its
 * last successful release (drift, from deploy-service). Ports and processes come from the
 * platform's topology ({@link Platform}).
 */
public final class StatusCommand {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private StatusCommand() {}

  public static void main(String[] args) throws Exception {
    LocalContainers containers = LocalPlatform.containers(System.err);
    Platform platform = new Platform(LocalPlatform.remembered(containers), System.err);
    System.out.println(health(platform));
    System.out.println(platform.reportTable());
    System.out.println(lag(containers.kafkaBootstrap()));
    System.out.println(latestRuns(platform.url(PlatformService.AUDIT)));
    System.out.println(exposure(platform.url(PlatformService.SCAN)));
    System.out.println(drift(platform.url(PlatformService.DEPLOY)));
  }

  /**
   * scan-service's advisory database (state and version; why it failed) and what re-evaluation
   * newly found on the digests that run now (each announced on vulnerability.found).
   */
  static String exposure(String scanUrl) {
    StringBuilder out = new StringBuilder();
    try {
      String token =
          TokenCommand.sign(
              TokenCommand.keyDir(),
              "slipway-status",
              Set.of("viewer"),
              Duration.ofMinutes(5),
              System.err);
      JsonNode database = scanApi(scanUrl, "/api/vulnerabilities/status", token);
      out.append(
          String.format(
              "advisory database: %s, %d advisories, version %s%s%n",
              database.path("state").asText("?"),
              database.path("advisories").asLong(),
              database.path("version").asText("?"),
              database.hasNonNull("reason") ? " (" + database.path("reason").asText() + ")" : ""));
      JsonNode found = scanApi(scanUrl, "/api/exposure?limit=100", token).path("items");
      out.append(
          String.format(
              "vulnerabilities newly found on running digests: %d%s%n",
              found.size(), found.size() == 100 ? "+" : ""));
      int shown = 0;
      for (JsonNode row : found) {
        if (shown++ == 5) {
          break;
        }
        out.append(
            String.format(
                "  %-16s %-8s %-22s %-8s %s%n",
                row.path("application").asText(""),
                row.path("environment").asText(""),
                row.path("advisoryId").asText(""),
                row.path("gatedAs").asText(""),
                row.path("purl").asText("")));
      }
    } catch (IOException | GeneralSecurityException e) {
      out.append("scan-service did not answer: ").append(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out.toString();
  }

  private static JsonNode scanApi(String scanUrl, String path, String token)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(scanUrl + path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(path + " answered HTTP " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }

  static String health(Platform platform) {
    StringBuilder out =
        new StringBuilder(String.format("%-16s %-6s %s%n", "service", "port", "ready"));
    Stream.of(PlatformService.values())
        .sorted(Comparator.comparing(PlatformService::module))
        .forEach(
            service -> {
              int port = platform.settings().ports().of(service);
              String state;
              try {
                HttpResponse<String> response =
                    HTTP.send(
                        HttpRequest.newBuilder(
                                URI.create(platform.url(service) + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                state = JSON.readTree(response.body()).path("status").asText("?");
                if (response.statusCode() != 200) {
                  state += " " + downChecks(response.body());
                }
              } catch (IOException e) {
                state = "not running";
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state = "?";
              }
              out.append(String.format("%-16s %-6d %s%n", service, port, state));
            });
    return out.toString();
  }

  private static String downChecks(String body) throws IOException {
    List<String> down = new ArrayList<>();
    JSON.readTree(body)
        .path("checks")
        .forEach(
            check -> {
              if (!"UP".equals(check.path("status").asText())) {
                down.add(check.path("name").asText());
              }
            });
    return down.toString();
  }

  /** Lag per consumer group and topic: the sum over partitions of end offset minus committed. */
  static String lag(String bootstrap) {
    StringBuilder out =
        new StringBuilder(String.format("%-22s %-22s %s%n", "consumer group", "topic", "lag"));
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                8000))) {
      List<String> groups =
          admin.listConsumerGroups().all().get(8, TimeUnit.SECONDS).stream()
              .map(ConsumerGroupListing::groupId)
              .sorted()
              .toList();
      for (String group : groups) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(8, TimeUnit.SECONDS);
        if (committed.isEmpty()) {
          out.append(String.format("%-22s %-22s %s%n", group, "-", "no offsets committed yet"));
          continue;
        }
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> ends =
            admin.listOffsets(latest).all().get(8, TimeUnit.SECONDS);
        Map<String, Long> perTopic = new TreeMap<>();
        committed.forEach(
            (tp, offset) -> {
              long end = ends.get(tp).offset();
              long at = offset == null ? 0 : offset.offset();
              perTopic.merge(tp.topic(), Math.max(0, end - at), Long::sum);
            });
        perTopic.forEach(
            (topic, lag) -> out.append(String.format("%-22s %-22s %d%n", group, topic, lag)));
      }
    } catch (Exception e) {
      out.append("Kafka on ").append(bootstrap).append(" did not answer: ").append(e);
      out.append(System.lineSeparator());
    }
    return out.toString();
  }

  /** The ten most recent runs and the last stage each reached, from audit-service. */
  static String latestRuns(String audit) {
    StringBuilder out =
        new StringBuilder(
            String.format(
                "%-10s %-16s %-9s %-28s %s%n", "run", "application", "commit", "stage", "at"));
    try {
      String token =
          TokenCommand.sign(
              TokenCommand.keyDir(),
              "slipway-status",
              Set.of("viewer"),
              Duration.ofMinutes(5),
              System.err);
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(audit + "/api/audit/events?limit=500&order=desc"))
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return out.append("audit-service answered HTTP ").append(response.statusCode()).toString();
      }
      JsonNode page = JSON.readTree(response.body());
      JsonNode rows = page.path("items");
      Map<String, JsonNode> latestByRun = new LinkedHashMap<>();
      for (JsonNode row : rows) {
        String run = row.path("runId").asText("");
        if (!run.isEmpty() && !latestByRun.containsKey(run) && latestByRun.size() < 10) {
          latestByRun.put(run, row);
        }
      }
      latestByRun.forEach(
          (run, row) ->
              out.append(
                  String.format(
                      "%-10s %-16s %-9s %-28s %s%n",
                      run.substring(0, Math.min(8, run.length())),
                      row.path("application").asText(""),
                      row.path("commitSha")
                          .asText("")
                          .substring(0, Math.min(8, row.path("commitSha").asText("").length())),
                      stage(row),
                      row.path("eventTime").asText(""))));
      if (latestByRun.isEmpty()) {
        out.append("no runs yet").append(System.lineSeparator());
      }
    } catch (IOException | GeneralSecurityException e) {
      out.append("audit-service did not answer: ").append(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out.toString();
  }

  /**
   * Every environment with a successful rollout among the latest, compared live with its last
   * successful revision ({@code GET /api/apps/{app}/environments/{env}/drift}).
   */
  static String drift(String deployUrl) {
    StringBuilder out =
        new StringBuilder(
            String.format("%-16s %-10s %-9s %s%n", "application", "env", "revision", "drift"));
    try {
      String token =
          TokenCommand.sign(
              TokenCommand.keyDir(),
              "slipway-status",
              Set.of("viewer"),
              Duration.ofMinutes(5),
              System.err);
      HttpResponse<String> response = deployService(deployUrl, "/api/rollouts?limit=200", token);
      if (response.statusCode() != 200) {
        return out.append("deploy-service answered HTTP ").append(response.statusCode()).toString();
      }
      Set<String> environments = new java.util.TreeSet<>();
      for (JsonNode rollout : JSON.readTree(response.body()).path("items")) {
        if ("SUCCEEDED".equals(rollout.path("status").asText())) {
          environments.add(
              rollout.path("application").asText() + "/" + rollout.path("environment").asText());
        }
      }
      for (String environment : environments) {
        String application = environment.substring(0, environment.indexOf('/'));
        String name = environment.substring(environment.indexOf('/') + 1);
        HttpResponse<String> report =
            deployService(
                deployUrl, "/api/apps/" + application + "/environments/" + name + "/drift", token);
        out.append(String.format("%-16s %-10s ", application, name));
        if (report.statusCode() != 200) {
          out.append(
              String.format(
                  "%-9s %s%n",
                  "-",
                  JSON.readTree(report.body())
                      .path("detail")
                      .asText("HTTP " + report.statusCode())));
          continue;
        }
        JsonNode drift = JSON.readTree(report.body());
        out.append(String.format("%-9d %s%n", drift.path("revision").asLong(), describe(drift)));
      }
      if (environments.isEmpty()) {
        out.append("nothing deployed yet").append(System.lineSeparator());
      }
    } catch (IOException | GeneralSecurityException e) {
      out.append("deploy-service did not answer: ").append(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out.toString();
  }

  /** "in sync", or each object that drifted and how. */
  static String describe(JsonNode drift) {
    if (drift.path("inSync").asBoolean()) {
      return "in sync";
    }
    List<String> objects = new ArrayList<>();
    for (JsonNode object : drift.path("objects")) {
      String status = object.path("status").asText();
      if ("InSync".equals(status)) {
        continue;
      }
      List<String> differences = new ArrayList<>();
      object.path("differences").forEach(d -> differences.add(d.asText()));
      objects.add(
          object.path("kind").asText()
              + " "
              + object.path("name").asText()
              + " "
              + status
              + (differences.isEmpty() ? "" : " (" + String.join("; ", differences) + ")"));
    }
    return "DRIFTED: " + String.join(", ", objects);
  }

  private static HttpResponse<String> deployService(String deployUrl, String path, String token)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(deployUrl + path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String stage(JsonNode row) {
    String topic = row.path("topic").asText("");
    String status = row.path("status").asText("");
    String environment = row.path("environment").asText("");
    StringBuilder stage = new StringBuilder(topic);
    if (!environment.isEmpty()) {
      stage.append(' ').append(environment);
    }
    if (!status.isEmpty()) {
      stage.append(' ').append(status);
    }
    return stage.toString();
  }
}
