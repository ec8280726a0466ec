package dev.slipway.deploy.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.deploy.health.DeploymentHealth.State;
import dev.slipway.deploy.health.DeploymentHealth.Verdict;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The health of any object a release applies, in the spirit of kstatus: Deployments as {@link
 * DeploymentHealth} judges them; StatefulSets and DaemonSets by observedGeneration and their
 * updated, ready and available counts; Jobs complete or failed; PersistentVolumeClaims bound;
 * Services of type LoadBalancer and Ingresses once they have an address; any other object (custom
 * resources included) by its {@code Ready} condition ({@code Stalled} fails it) and
 * observedGeneration; an object with no status to speak of is healthy once it exists.
 */
public final class ObjectHealth {

  /** The kinds whose pods are looked at. */
  public static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet");

  private ObjectHealth() {}

  /**
   * Judges {@code live} (null: it does not exist); {@code pods} are the pods its selector selects
   * (workloads only).
   */
  public static Verdict judge(
      String kind, GenericKubernetesResource live, List<Pod> pods, Instant now, Duration grace) {
    if (live == null) {
      return new Verdict(State.FAILED, kind + " does not exist", null, 0);
    }
    if ("Deployment".equals(kind)) {
      Deployment deployment = Serialization.unmarshal(Serialization.asJson(live), Deployment.class);
      return DeploymentHealth.judge(deployment, pods, now, grace);
    }
    JsonNode object = Serialization.jsonMapper().valueToTree(live);
    JsonNode status = object.path("status");
    long generation = object.path("metadata").path("generation").asLong(0);
    return switch (kind) {
      case "StatefulSet" -> statefulSet(object, status, generation, pods, now, grace);
      case "DaemonSet" -> daemonSet(status, generation, pods, now, grace);
      case "Job" -> job(status);
      case "PersistentVolumeClaim" -> {
        String phase = status.path("phase").asText("Pending");
        yield switch (phase) {
          case "Bound" -> new Verdict(State.COMPLETE, "Bound", null, 0);
          case "Lost" -> new Verdict(State.FAILED, "the claim lost its volume", null, 0);
          default -> new Verdict(State.PROGRESSING, "claim " + phase, null, 0);
        };
      }
      case "Service" ->
          "LoadBalancer".equals(object.path("spec").path("type").asText())
              ? address(status)
              : new Verdict(State.COMPLETE, "exists", null, 0);
      case "Ingress" -> address(status);
      default -> conditions(status, generation);
    };
  }

  private static Verdict statefulSet(
      JsonNode object,
      JsonNode status,
      long generation,
      List<Pod> pods,
      Instant now,
      Duration grace) {
    DeploymentHealth.PodVerdict podVerdict = DeploymentHealth.pods(pods, now, grace);
    if (podVerdict.failed() != null) {
      return podVerdict.failed();
    }
    if (status.path("observedGeneration").asLong(0) < generation) {
      return new Verdict(
          State.PROGRESSING,
          "waiting for the controller to observe generation " + generation,
          null,
          podVerdict.restarts());
    }
    int replicas = object.path("spec").path("replicas").asInt(1);
    int ready = status.path("readyReplicas").asInt(0);
    int updated = status.path("updatedReplicas").asInt(0);
    int available = status.path("availableReplicas").asInt(ready);
    boolean revisions =
        status.path("currentRevision").asText("").equals(status.path("updateRevision").asText(""));
    String detail =
        "updated %d/%d, ready %d/%d, available %d/%d"
            .formatted(updated, replicas, ready, replicas, available, replicas);
    boolean complete =
        ready == replicas && updated == replicas && available == replicas && revisions;
    return new Verdict(
        complete ? State.COMPLETE : State.PROGRESSING, detail, null, podVerdict.restarts());
  }

  private static Verdict daemonSet(
      JsonNode status, long generation, List<Pod> pods, Instant now, Duration grace) {
    DeploymentHealth.PodVerdict podVerdict = DeploymentHealth.pods(pods, now, grace);
    if (podVerdict.failed() != null) {
      return podVerdict.failed();
    }
    if (status.path("observedGeneration").asLong(0) < generation) {
      return new Verdict(
          State.PROGRESSING,
          "waiting for the controller to observe generation " + generation,
          null,
          podVerdict.restarts());
    }
    int desired = status.path("desiredNumberScheduled").asInt(0);
    int updated = status.path("updatedNumberScheduled").asInt(0);
    int available = status.path("numberAvailable").asInt(0);
    String detail =
        "updated %d/%d, available %d/%d".formatted(updated, desired, available, desired);
    boolean complete = updated == desired && available == desired;
    return new Verdict(
        complete ? State.COMPLETE : State.PROGRESSING, detail, null, podVerdict.restarts());
  }

  private static Verdict job(JsonNode status) {
    for (JsonNode condition : status.path("conditions")) {
      if (!"True".equals(condition.path("status").asText())) {
        continue;
      }
      String type = condition.path("type").asText();
      if ("Complete".equals(type)) {
        return new Verdict(
            State.COMPLETE, "completed (" + status.path("succeeded").asInt(0) + " pods)", null, 0);
      }
      if ("Failed".equals(type)) {
        return new Verdict(
            State.FAILED,
            "Job failed: %s: %s"
                .formatted(
                    condition.path("reason").asText("unknown"),
                    condition.path("message").asText("")),
            null,
            0);
      }
    }
    return new Verdict(
        State.PROGRESSING,
        "running (%d active, %d failed)"
            .formatted(status.path("active").asInt(0), status.path("failed").asInt(0)),
        null,
        0);
  }

  private static Verdict address(JsonNode status) {
    JsonNode ingress = status.path("loadBalancer").path("ingress");
    if (ingress.isArray() && !ingress.isEmpty()) {
      JsonNode first = ingress.get(0);
      return new Verdict(
          State.COMPLETE,
          "address " + first.path("ip").asText(first.path("hostname").asText("")),
          null,
          0);
    }
    return new Verdict(State.PROGRESSING, "waiting for an address", null, 0);
  }

  private static Verdict conditions(JsonNode status, long generation) {
    if (status.has("observedGeneration")
        && status.path("observedGeneration").asLong() < generation) {
      return new Verdict(
          State.PROGRESSING,
          "waiting for its controller to observe generation " + generation,
          null,
          0);
    }
    for (JsonNode condition : status.path("conditions")) {
      String type = condition.path("type").asText();
      String value = condition.path("status").asText();
      String why =
          condition.path("reason").asText("") + ": " + condition.path("message").asText("");
      if ("Stalled".equals(type) && "True".equals(value)) {
        return new Verdict(State.FAILED, "Stalled (" + why + ")", null, 0);
      }
      if ("Ready".equals(type)) {
        return "True".equals(value)
            ? new Verdict(State.COMPLETE, "Ready", null, 0)
            : new Verdict(State.PROGRESSING, "not Ready (" + why + ")", null, 0);
      }
    }
    return new Verdict(State.COMPLETE, "exists", null, 0);
  }
}
