package dev.slipway.build;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.slipway.events.BuildDone;
import dev.slipway.events.BuildSettings;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.SourceSpec;
import dev.slipway.events.Topics;
import dev.slipway.testsupport.KafkaTestClient;
import dev.slipway.testsupport.TestTokens;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Test steps shared by the build tests: start a run, wait for its build, read its build.done. */
public final class Builds {

  private Builds() {}

  /**
   * The registry's build settings of the test applications: main is the default branch, and the
   * test secrets ({@code npm-token}, {@code deploy-key}) are granted to builds of main.
   */
  public static final BuildSettings SETTINGS =
      new BuildSettings(
          "main",
          List.of(),
          List.of(
              new BuildSettings.SecretGrant("npm-token", List.of("main"), List.of()),
              new BuildSettings.SecretGrant("deploy-key", List.of("main"), List.of())));

  /** A commit.received of {@code application} at {@code repo}'s commit, cloned from its URL. */
  public static Envelope<CommitReceived> commit(
      String application, GitFixture.Repo repo, String ref, String message) {
    return commit(application, repo, ref, message, new SourceSpec(repo.url(), null), SETTINGS);
  }

  /** A commit.received with its source and build settings as the registry would send them. */
  public static Envelope<CommitReceived> commit(
      String application,
      GitFixture.Repo repo,
      String ref,
      String message,
      SourceSpec source,
      BuildSettings settings) {
    PipelineSnapshot sample = SampleEvents.pipeline();
    PipelineSnapshot pipeline =
        new PipelineSnapshot(sample.environments(), sample.scanPolicy(), source, settings);
    CommitReceived sampleCommit = SampleEvents.commitReceived();
    CommitReceived commit =
        new CommitReceived(
            "github",
            UUID.randomUUID().toString(),
            "https://github.com/acme/" + application,
            ref,
            repo.commit(),
            sampleCommit.author(),
            message,
            "ada",
            pipeline);
    return new Envelope<>(
        UUID.randomUUID().toString(),
        "/slipway/trigger-service",
        EventType.COMMIT_RECEIVED.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        application,
        UUID.randomUUID().toString(),
        null,
        repo.commit(),
        commit);
  }

  /** Sends a commit.received of {@code repo}'s last commit and returns it. */
  public static Envelope<CommitReceived> start(String application, GitFixture.Repo repo) {
    Envelope<CommitReceived> event = commit(application, repo, "refs/heads/main", "a change");
    KafkaTestClient.send(Topics.COMMIT_RECEIVED, event);
    return event;
  }

  /** Waits until the build of {@code application} ended, and returns it as the API shows it. */
  public static JsonPath awaitEnded(String application) {
    JsonPath[] found = new JsonPath[1];
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              JsonPath page = list(application);
              List<String> statuses = page.getList("items.status");
              if (statuses.isEmpty()
                  || statuses.get(0).equals("QUEUED")
                  || statuses.get(0).equals("RUNNING")) {
                return false;
              }
              found[0] = one(page.getString("items[0].id"));
              return true;
            });
    return found[0];
  }

  /** The builds of {@code application}, newest first. */
  public static JsonPath list(String application) {
    return given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .queryParam("application", application)
        .get("/api/builds")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** One build with its steps. */
  public static JsonPath one(String id) {
    return given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/builds/" + id)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** The log of a build as text. */
  public static String log(String id) {
    return given()
        .auth()
        .oauth2(TestTokens.token("vera", "viewer"))
        .get("/api/builds/" + id + "/log")
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  /**
   * Every build.done of {@code application} on Kafka, once at least {@code atLeast} are there and a
   * second more has passed: a relay that published one twice would have done so within its poll
   * interval (200 ms in tests), so a duplicate shows in what this returns.
   */
  public static List<Envelope<BuildDone>> buildDones(String application, int atLeast) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> buildDonesOnKafka(application).size() >= atLeast);
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return buildDonesOnKafka(application);
  }

  private static List<Envelope<BuildDone>> buildDonesOnKafka(String application) {
    return KafkaTestClient.readAll(Topics.BUILD_DONE).stream()
        .filter(record -> application.equals(record.key()))
        .map(Builds::envelope)
        .toList();
  }

  private static Envelope<BuildDone> envelope(ConsumerRecord<String, byte[]> record) {
    BuildDone data = EventJson.readPayload(record.value(), BuildDone.class);
    return new Envelope<>(
        KafkaTestClient.header(record, "ce_id"),
        KafkaTestClient.header(record, "ce_source"),
        KafkaTestClient.header(record, "ce_type"),
        java.time.OffsetDateTime.parse(KafkaTestClient.header(record, "ce_time")),
        record.key(),
        KafkaTestClient.header(record, "ce_runid"),
        KafkaTestClient.header(record, "ce_causationid"),
        KafkaTestClient.header(record, "ce_commitsha"),
        data);
  }
}
