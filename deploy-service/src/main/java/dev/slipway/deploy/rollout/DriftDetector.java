package dev.slipway.deploy.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.client.ClusterRegistry;
import dev.slipway.deploy.manifest.ObjectRef;
import dev.slipway.deploy.repository.ReleaseRepository;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compares what runs in an environment with the last revision that succeeded there, as Argo CD's
 * diff does: each object of that revision is applied as a server-side dry run (what the API server
 * would make of it now) and compared with the live object, status and the server's bookkeeping left
 * aside; a missing object is drift too. Fields others own and Slipway never applies (an HPA's
 * replicas) are not drift. With {@code selfHeal}, drifted objects are applied again.
 */
@ApplicationScoped
public class DriftDetector {

  private static final int MAX_DIFFERENCES = 10;

  private final ClusterRegistry clusters;
  private final ReleaseRepository releases;
  private final RolloutObjectsRepository objects;
  private final Duration timeout = Duration.ofSeconds(10);

  DriftDetector(
      ClusterRegistry clusters, ReleaseRepository releases, RolloutObjectsRepository objects) {
    this.clusters = clusters;
    this.releases = releases;
    this.objects = objects;
  }

  /** The drift of one object: {@code InSync}, {@code Drifted} or {@code Missing}. */
  public record ObjectDrift(String kind, String name, String status, List<String> differences) {}

  /**
   * An environment compared with its last successful revision.
   *
   * @param application the application
   * @param environment the environment
   * @param revision the revision compared with
   * @param checkedAt when
   * @param inSync whether every object matches
   * @param objects each object's drift
   * @param healed what self-heal applied again, if it did
   */
  public record Report(
      String application,
      String environment,
      long revision,
      OffsetDateTime checkedAt,
      boolean inSync,
      List<ObjectDrift> objects,
      List<String> healed) {

    /** How many objects drifted or are missing. */
    public long drifted() {
      return objects.stream().filter(o -> !"InSync".equals(o.status())).count();
    }
  }

  /**
   * Compares {@code application} in {@code environment} with its last successful revision; empty
   * when nothing succeeded there yet.
   *
   * @param heal whether to apply drifted objects again when the environment sets {@code selfHeal}
   */
  public Optional<Report> check(String application, String environment, boolean heal) {
    Revision revision =
        releases.lastSucceeded(application, environment).await().atMost(timeout).orElse(null);
    if (revision == null) {
      return Optional.empty();
    }
    var spec = revision.spec();
    var cluster =
        clusters
            .find(spec.cluster())
            .orElseThrow(
                () ->
                    new ClusterRefusedException(
                        "cluster " + spec.cluster() + " is no longer registered", null));
    ClusterWorkload workload =
        new ClusterWorkload(cluster, spec.namespace(), application, () -> {});
    ReleaseObjects.Release release =
        new ReleaseObjects.Release(
            application,
            environment,
            spec.namespace(),
            revision.pinnedImage(),
            spec.deployment(),
            objects.manifestsOf(application, environment, revision.revision()),
            RolloutSupport.annotations(
                revision.runId(),
                revision.commitSha(),
                revision.revision(),
                revision.rolloutId(),
                revision.imageDigest()));
    boolean routed = spec.deployment().httpRoute() != null;
    Set<String> scaled = RolloutSupport.scaled(workload, release);
    List<HasMetadata> wanted = ReleaseObjects.all(release, null, scaled, routed);
    List<ObjectDrift> drift = new ArrayList<>();
    List<HasMetadata> drifted = new ArrayList<>();
    for (HasMetadata object : wanted) {
      ObjectRef ref = ObjectRef.of(object);
      HasMetadata live = workload.get(ref);
      if (live == null) {
        drift.add(new ObjectDrift(ref.kind(), ref.name(), "Missing", List.of()));
        drifted.add(object);
        continue;
      }
      HasMetadata dryRun = workload.dryRun(object);
      List<String> differences = new ArrayList<>();
      compare(clean(dryRun), clean(live), "", differences);
      if (differences.isEmpty()) {
        drift.add(new ObjectDrift(ref.kind(), ref.name(), "InSync", List.of()));
      } else {
        drift.add(new ObjectDrift(ref.kind(), ref.name(), "Drifted", differences));
        drifted.add(object);
      }
    }
    List<String> healed = new ArrayList<>();
    // One writer at a time per environment: a rollout in flight owns it.
    if (heal
        && spec.deployment().selfHeal()
        && !drifted.isEmpty()
        && !objects.unfinished(application, environment)) {
      workload.applyAll(drifted, application, environment, false);
      drifted.forEach(o -> healed.add(ObjectRef.of(o).toString()));
    }
    return Optional.of(
        new Report(
            application,
            environment,
            revision.revision(),
            OffsetDateTime.now(ZoneOffset.UTC),
            drifted.isEmpty(),
            drift,
            healed));
  }

  private static JsonNode clean(HasMetadata object) {
    ObjectNode node = Serialization.jsonMapper().valueToTree(object);
    node.remove("status");
    if (node.get("metadata") instanceof ObjectNode metadata) {
      for (String field :
          List.of("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp")) {
        metadata.remove(field);
      }
    }
    return node;
  }

  /** The paths where {@code wanted} and {@code live} differ, with both values. */
  private static void compare(JsonNode wanted, JsonNode live, String path, List<String> out) {
    if (out.size() >= MAX_DIFFERENCES) {
      return;
    }
    if (wanted != null && live != null && wanted.isObject() && live.isObject()) {
      Set<String> fields = new java.util.TreeSet<>();
      wanted.fieldNames().forEachRemaining(fields::add);
      live.fieldNames().forEachRemaining(fields::add);
      for (String field : fields) {
        compare(wanted.get(field), live.get(field), path + "." + field, out);
      }
      return;
    }
    if (wanted != null
        && live != null
        && wanted.isArray()
        && live.isArray()
        && wanted.size() == live.size()) {
      for (int i = 0; i < wanted.size(); i++) {
        compare(wanted.get(i), live.get(i), path + "[" + i + "]", out);
      }
      return;
    }
    if (wanted == null ? live != null : !wanted.equals(live)) {
      out.add("%s: live %s, revision %s".formatted(path, text(live), text(wanted)));
    }
  }

  private static String text(JsonNode node) {
    if (node == null) {
      return "absent";
    }
    String text = node.toString();
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  /** Every application and environment with a successful revision. */
  public List<Map.Entry<String, String>> environments() {
    return releases.environments().await().atMost(timeout);
  }
}
