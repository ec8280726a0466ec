package dev.slipway.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.slipway.events.DeployRequested;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.events.KafkaCloudEvents;
import dev.slipway.events.Topics;
import dev.slipway.launcher.demo.DemoScenario.DemoFailure;
import dev.slipway.launcher.demo.DemoScenario.Tokens;
import dev.slipway.launcher.demo.PlatformClient.Answer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo's closing note: what Slipway refuses, as a user sees it. A {@code deploy.requested}
 * written straight to Kafka, claiming an approval, for an image Slipway never built, refused by
 * deploy-service and shown as the audit store keeps it; and a rollout refusing to touch a ConfigMap
 * someone made by hand in the application's namespace.
 */
public final class DemoRefusals {

  /** Who forges the deploy. */
  static final String FORGER = "mallory";

  /** The environment the foreign object is made in: dev is automatic, so nothing waits on it. */
  static final String FOREIGN_ENVIRONMENT = "dev";

  /** An object of the demo shop's own manifests ({@code deploy/shop.yaml}). */
  static final String FOREIGN_CONFIG_MAP = "demo-shop-banner";

  private final PlatformClient client;
  private final Tokens tokens;
  private final PrintStream out;
  private final Local local;
  private final Duration timeout;

  public DemoRefusals(
      PlatformClient client, Tokens tokens, PrintStream out, Local local, Duration timeout) {
    this.client = client;
    this.tokens = tokens;
    this.out = out;
    this.local = local;
    this.timeout = timeout;
  }

  /**
   * What the demo reaches besides the services' APIs, as an attacker or an operator with access
   * would.
   *
   * @param kafkaBootstrap the platform's Kafka
   * @param registry the OCI registry build-service pushes to, {@code host:port}
   * @param insecureRegistry whether it speaks plain HTTP
   * @param kubeconfig the cluster deploy-service deploys to
   */
  public record Local(
      String kafkaBootstrap, String registry, boolean insecureRegistry, Path kubeconfig) {}

  /**
   * Pushes an image Slipway never built, writes a {@code deploy.requested} of it into prod, naming
   * an approver, straight to Kafka, and prints the audit store's rows of that forged run, reasons
   * included. Fails unless deploy-service refused it.
   */
  public void forgedDeployRefused() {
    String image = local.registry() + "/" + DemoScenario.APPLICATION + ":unsigned";
    String digest = pushUnsignedImage(image);
    say(
        "pushed %s (%s), an image Slipway never built",
        image, DemoScenario.shortId(digest.substring(digest.indexOf(':') + 1)));
    DeployRequested request =
        new DeployRequested(
            "prod",
            image,
            digest,
            DeployRequested.Reason.APPROVAL,
            FORGER,
            null,
            List.of(DemoScenario.APPROVER),
            null);
    // Written as deploy-service would write it: its source, the real envelope and record format.
    Envelope<DeployRequested> forged =
        Envelope.startRun(
            EventType.DEPLOY_REQUESTED,
            "/slipway/deploy-service",
            DemoScenario.APPLICATION,
            HexFormat.of().formatHex(randomBytes(20)),
            request);
    produce(forged);
    say(
        "wrote deploy.requested %s straight to Kafka: prod, \"approved by %s\", requested by %s",
        DemoScenario.shortId(forged.id()), DemoScenario.APPROVER, FORGER);
    JsonNode events = awaitRunEvents(forged.runId());
    JsonNode done = null;
    for (JsonNode event : events) {
      if (Topics.DEPLOY_DONE.equals(event.path("topic").asText())) {
        done = event;
      }
    }
    printTimeline(forged.runId(), events);
    if (done == null || !"FAILED".equals(done.path("status").asText())) {
      throw new DemoFailure("forged deploy", "deploy-service did not refuse the forged request");
    }
  }

  /**
   * Replaces the shop's ConfigMap in dev by one made by hand (as {@code kubectl create} would),
   * asks deploy-service to restore dev's current release, and prints the rollout's refusal; then
   * removes the hand-made object, so the next release creates Slipway's again.
   */
  public void foreignObjectRefused() {
    String namespace = "shop-" + FOREIGN_ENVIRONMENT;
    try (KubernetesClient kube = kubernetes()) {
      kube.configMaps().inNamespace(namespace).withName(FOREIGN_CONFIG_MAP).delete();
      Instant gone = Instant.now().plusSeconds(10);
      while (kube.configMaps().inNamespace(namespace).withName(FOREIGN_CONFIG_MAP).get() != null
          && Instant.now().isBefore(gone)) {
        sleep(Duration.ofMillis(100));
      }
      ConfigMap handMade =
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName(FOREIGN_CONFIG_MAP)
              .withNamespace(namespace)
              .withLabels(Map.of("team", "ops"))
              .endMetadata()
              .withData(Map.of("banner.txt", "Closed for inventory."))
              .build();
      kube.configMaps().inNamespace(namespace).resource(handMade).create();
      say(
          "an operator replaced ConfigMap %s in %s by hand (no Slipway labels)",
          FOREIGN_CONFIG_MAP, namespace);
      try {
        // A rollback to the serving release would find it served and apply nothing: go one back.
        JsonNode rollout = restoreRelease(FOREIGN_ENVIRONMENT, 1);
        JsonNode summary = rollout.path("rollout");
        say(
            "rollout %s of %s: %s",
            DemoScenario.shortId(summary.path("id").asText()),
            FOREIGN_ENVIRONMENT,
            summary.path("status").asText());
        for (JsonNode entry : rollout.path("log")) {
          say("  %s", entry.path("message").asText());
        }
        // Refused: nothing applied, so the rollout failed (and rolled back to what served before).
        boolean refused =
            List.of("FAILED", "ROLLED_BACK").contains(summary.path("status").asText())
                && rollout.path("log").toString().contains("it is not Slipway's");
        if (!refused) {
          throw new DemoFailure(
              "foreign object", "the rollout did not refuse the hand-made " + FOREIGN_CONFIG_MAP);
        }
        ConfigMap after =
            kube.configMaps().inNamespace(namespace).withName(FOREIGN_CONFIG_MAP).get();
        if (after == null || !"Closed for inventory.".equals(after.getData().get("banner.txt"))) {
          throw new DemoFailure(
              "foreign object", "the hand-made " + FOREIGN_CONFIG_MAP + " changed");
        }
        say("  the hand-made ConfigMap is untouched");
      } finally {
        kube.configMaps().inNamespace(namespace).withName(FOREIGN_CONFIG_MAP).delete();
      }
      // The operator's object is gone and Slipway's was never re-made: dev would show it Missing
      // (drift) until its next release. Restoring the serving release applies it again.
      JsonNode resync = restoreRelease(FOREIGN_ENVIRONMENT, 0);
      String status = resync.path("rollout").path("status").asText();
      if (!"SUCCEEDED".equals(status)
          || kube.configMaps().inNamespace(namespace).withName(FOREIGN_CONFIG_MAP).get() == null) {
        throw new DemoFailure(
            "foreign object",
            "restoring "
                + FOREIGN_ENVIRONMENT
                + "'s release after removing the hand-made ConfigMap ended "
                + status);
      }
      say(
          "  removed the hand-made ConfigMap; Slipway's %s is back in %s",
          FOREIGN_CONFIG_MAP, namespace);
    }
  }

  /**
   * Rolls {@code environment} back to a release that succeeded there ({@code back} 0: the one
   * serving, 1: the one before it) and waits for the rollout's end.
   */
  private JsonNode restoreRelease(String environment, int back) {
    String base =
        client.endpoints().deploy()
            + "/api/apps/"
            + DemoScenario.APPLICATION
            + "/environments/"
            + environment;
    String viewer = tokens.token("demo-viewer", "viewer");
    List<Long> succeeded = new java.util.ArrayList<>();
    for (JsonNode release :
        client.get(base + "/releases", viewer).expect(200).json().path("items")) {
      if ("SUCCEEDED".equals(release.path("status").asText())) {
        succeeded.add(release.path("revision").asLong());
      }
    }
    // Newest first: the first serves now, the second is the one before it.
    if (succeeded.size() <= back) {
      throw new DemoFailure(
          "foreign object", environment + " has no earlier release to roll back to");
    }
    long revision = succeeded.get(back);
    Map<String, Object> body = Map.of("revision", revision);
    String requestId =
        client
            .post(base + "/rollback", tokens.token("demo-deployer", "deployer"), body)
            .expect(202)
            .json()
            .path("requestId")
            .asText();
    say(
        "rolling %s back to revision %d (request %s)",
        environment, revision, DemoScenario.shortId(requestId));
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Answer detail =
          client.get(client.endpoints().deploy() + "/api/rollouts/" + requestId, viewer);
      String status = detail.json().path("rollout").path("status").asText("");
      if (detail.status() == 200
          && List.of("SUCCEEDED", "FAILED", "ROLLED_BACK").contains(status)) {
        return detail.json();
      }
      sleep(Duration.ofMillis(300));
    }
    throw new DemoFailure(
        "foreign object", "the rollout did not end within " + timeout.toSeconds() + " s");
  }

  private JsonNode awaitRunEvents(String runId) {
    String auditor = tokens.token("demo-auditor", "auditor");
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Answer answer = client.get(client.endpoints().audit() + "/api/audit/runs/" + runId, auditor);
      if (answer.status() == 200) {
        for (JsonNode event : answer.json().path("events")) {
          if (Topics.DEPLOY_DONE.equals(event.path("topic").asText())) {
            return answer.json().path("events");
          }
        }
      } else if (answer.status() != 404) {
        answer.expect(200);
      }
      sleep(Duration.ofMillis(300));
    }
    throw new DemoFailure(
        "forged deploy",
        "the audit store has no outcome of the forged request after " + timeout.toSeconds() + " s");
  }

  private void printTimeline(String runId, JsonNode events) {
    say("audit timeline of the forged run %s:", DemoScenario.shortId(runId));
    DemoScenario.printTimeline(out, events, true);
  }

  private String pushUnsignedImage(String reference) {
    Path layer = null;
    try {
      layer = Files.createTempFile("slipway-demo-unsigned", ".txt");
      Files.writeString(layer, "not built by Slipway " + UUID.randomUUID() + "\n");
      JibContainer pushed =
          Jib.fromScratch()
              .addLayer(List.of(layer), AbsoluteUnixPath.get("/"))
              .containerize(
                  Containerizer.to(RegistryImage.named(reference))
                      .setAllowInsecureRegistries(local.insecureRegistry()));
      return pushed.getDigest().toString();
    } catch (IOException
        | InvalidImageReferenceException
        | RegistryException
        | CacheDirectoryCreationException
        | ExecutionException e) {
      throw new DemoFailure("forged deploy", "cannot push " + reference + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("forged deploy", "interrupted");
    } finally {
      if (layer != null) {
        try {
          Files.deleteIfExists(layer);
        } catch (IOException ignored) {
          // a temporary file
        }
      }
    }
  }

  private void produce(Envelope<DeployRequested> forged) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, local.kafkaBootstrap());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(
              KafkaCloudEvents.toRecord(
                  Topics.DEPLOY_REQUESTED, EventJson.writeEvent(forged), null))
          .get(15, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new DemoFailure("forged deploy", "cannot write to Kafka: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("forged deploy", "interrupted");
    }
  }

  private KubernetesClient kubernetes() {
    try {
      String kubeconfig = Files.readString(local.kubeconfig());
      return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
    } catch (IOException e) {
      throw new DemoFailure("foreign object", "cannot read " + local.kubeconfig() + ": " + e);
    }
  }

  private void say(String format, Object... args) {
    out.println("[demo] " + String.format(format, args));
    out.flush();
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("demo", "interrupted");
    }
  }
}
