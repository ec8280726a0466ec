package dev.slipway.deploy.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.deploy.manifest.ManifestSet;
import dev.slipway.deploy.manifest.ObjectRef;
import dev.slipway.events.EventJson;
import dev.slipway.events.RenderedManifests;
import dev.slipway.work.queue.Lease;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * What a rollout applies and how an operator steers it: the revision's objects (the rendered
 * manifests it fetched), the objects it created (so a failed first release removes only those), the
 * command an operator gave (pause, resume, promote, abort) and the count of unexpected failures.
 * Worker-side calls are blocking, and their writes fenced by the worker's lease (owner and token,
 * {@link RolloutWorkRepository#fenced}); the API's calls are reactive.
 */
@ApplicationScoped
public class RolloutObjectsRepository {

  private static final TypeReference<List<ObjectRef>> REFS = new TypeReference<>() {};

  private final Pool pool;
  private final RolloutWorkRepository work;
  private final Duration timeout;

  public RolloutObjectsRepository(Pool pool, RolloutWorkRepository work, DeployConfig config) {
    this.pool = pool;
    this.work = work;
    this.timeout = config.rollouts().databaseTimeout();
  }

  /** What an operator asked of a rollout. */
  public enum Command {
    PAUSE,
    RESUME,
    PROMOTE,
    ABORT
  }

  /**
   * A rollout's objects and steering.
   *
   * @param manifestsRef the rendered manifests artifact it was asked to apply, if any
   * @param manifests the objects it applies (null: generated from its settings)
   * @param created what it created in the cluster
   * @param command the operator's last command not yet carried out
   * @param commandBy who gave it
   * @param pausedAt since when it is paused, or null
   * @param errors unexpected failures of its turns so far
   * @param analysisErrors analysis queries that failed in a row
   */
  public record Objects(
      RenderedManifests manifestsRef,
      ManifestSet manifests,
      List<ObjectRef> created,
      Command command,
      String commandBy,
      OffsetDateTime pausedAt,
      int errors,
      int analysisErrors) {}

  /** Rollout {@code id}'s objects and steering. */
  public Objects load(String id) {
    return await(
        pool.preparedQuery(
                """
                SELECT manifests_ref::text AS manifests_ref, manifests::text AS manifests,
                       created::text AS created, command, command_by, paused_at, errors,
                       analysis_errors
                FROM rollouts WHERE event_id = $1
                """)
            .execute(Tuple.of(id))
            .map(
                rows -> {
                  Row row =
                      first(rows).orElseThrow(() -> new IllegalStateException("no rollout " + id));
                  String command = row.getString("command");
                  return new Objects(
                      JsonColumns.read(row.getString("manifests_ref"), RenderedManifests.class),
                      ManifestSet.fromJson(row.getString("manifests")),
                      refs(row.getString("created")),
                      command == null ? null : Command.valueOf(command),
                      row.getString("command_by"),
                      row.getOffsetDateTime("paused_at"),
                      row.getInteger("errors"),
                      row.getInteger("analysis_errors"));
                }));
  }

  /**
   * The rendered manifests recorded for {@code digest} of {@code application} by an earlier request
   * (a promotion or approval carries the image; its manifests travel with the build).
   */
  public Optional<RenderedManifests> manifestsRefFor(String application, String digest) {
    return await(
        pool.preparedQuery(
                """
                SELECT manifests_ref::text AS manifests_ref FROM rollouts
                WHERE application = $1 AND image_digest = $2 AND manifests_ref IS NOT NULL
                ORDER BY seq DESC LIMIT 1
                """)
            .execute(Tuple.of(application, digest))
            .map(
                rows ->
                    first(rows)
                        .map(
                            row ->
                                JsonColumns.read(
                                    row.getString("manifests_ref"), RenderedManifests.class))));
  }

  /** Whether a rollout of {@code application} in {@code environment} is queued or running. */
  public boolean unfinished(String application, String environment) {
    return await(
        pool.preparedQuery(
                """
                SELECT 1 FROM rollouts WHERE application = $1 AND environment = $2
                  AND status IN ('QUEUED', 'RUNNING') LIMIT 1
                """)
            .execute(Tuple.of(application, environment))
            .map(rows -> rows.size() > 0));
  }

  /** The objects revision {@code revision} applied (null: it generated them). */
  public ManifestSet manifestsOf(String application, String environment, long revision) {
    return await(
        pool.preparedQuery(
                """
                SELECT manifests::text AS manifests FROM rollouts
                WHERE application = $1 AND environment = $2 AND revision = $3
                """)
            .execute(Tuple.of(application, environment, revision))
            .map(
                rows ->
                    first(rows)
                        .map(row -> ManifestSet.fromJson(row.getString("manifests")))
                        .orElse(null)));
  }

  /** Records the objects a rollout applies and the artifact they came from; fenced. */
  public void storeManifests(Lease lease, RenderedManifests ref, ManifestSet manifests) {
    work.fenced(
        lease,
        tx ->
            tx.preparedQuery(
                    """
                    UPDATE rollouts SET manifests_ref = COALESCE($2::text::jsonb, manifests_ref),
                                        manifests = $3::text::jsonb
                    WHERE event_id = $1
                    """)
                .execute(
                    Tuple.from(
                        Arrays.asList(
                            lease.id(),
                            JsonColumns.write(ref),
                            manifests == null ? null : manifests.toJson())))
                .replaceWithVoid());
  }

  /** Adds objects the rollout created; fenced. */
  public void addCreated(Lease lease, List<ObjectRef> created) {
    if (created.isEmpty()) {
      return;
    }
    List<ObjectRef> all =
        new ArrayList<>(new LinkedHashSet<>(concat(load(lease.id()).created(), created)));
    work.fenced(
        lease,
        tx ->
            tx.preparedQuery("UPDATE rollouts SET created = $2::text::jsonb WHERE event_id = $1")
                .execute(Tuple.of(lease.id(), JsonColumns.write(all)))
                .replaceWithVoid());
  }

  /** Marks the command carried out; a paused rollout records since when. Fenced. */
  public void commandDone(Lease lease, OffsetDateTime pausedAt) {
    work.fenced(
        lease,
        tx ->
            tx.preparedQuery(
                    "UPDATE rollouts SET command = NULL, paused_at = $2 WHERE event_id = $1")
                .execute(Tuple.of(lease.id(), pausedAt))
                .replaceWithVoid());
  }

  /** Records how many analysis queries failed in a row; fenced. */
  public void analysisErrors(Lease lease, int count) {
    work.fenced(
        lease,
        tx ->
            tx.preparedQuery("UPDATE rollouts SET analysis_errors = $2 WHERE event_id = $1")
                .execute(Tuple.of(lease.id(), count))
                .replaceWithVoid());
  }

  /**
   * Counts one more unexpected failure of the rollout; fenced.
   *
   * @return how many it had
   */
  public int recordError(Lease lease) {
    return work.fenced(
        lease,
        tx ->
            tx.preparedQuery(
                    "UPDATE rollouts SET errors = errors + 1 WHERE event_id = $1 RETURNING errors")
                .execute(Tuple.of(lease.id()))
                .map(rows -> first(rows).map(row -> row.getInteger(0)).orElse(0)));
  }

  /**
   * Records an operator's command for a rollout that is not finished.
   *
   * @return the rollout's status and phase when the command was recorded, empty when it does not
   *     exist
   */
  public Uni<Optional<Commanded>> command(String id, Command command, String by) {
    return pool.withTransaction(
        tx ->
            tx.preparedQuery(
                    "SELECT status, phase, paused_at FROM rollouts WHERE event_id = $1 FOR UPDATE")
                .execute(Tuple.of(id))
                .flatMap(
                    rows -> {
                      Optional<Row> row = first(rows);
                      if (row.isEmpty()) {
                        return Uni.createFrom().item(Optional.<Commanded>empty());
                      }
                      Commanded found =
                          new Commanded(
                              row.get().getString("status"),
                              row.get().getString("phase"),
                              row.get().getOffsetDateTime("paused_at") != null,
                              false);
                      if (!found.acceptable(command)) {
                        return Uni.createFrom().item(Optional.of(found));
                      }
                      return tx.preparedQuery(
                              "UPDATE rollouts SET command = $2, command_by = $3 WHERE event_id = $1")
                          .execute(Tuple.of(id, command.name(), by))
                          .map(
                              ignored ->
                                  Optional.of(
                                      new Commanded(
                                          found.status(), found.phase(), found.paused(), true)));
                    }));
  }

  /**
   * A rollout as a command found it.
   *
   * @param status QUEUED, RUNNING or a final one
   * @param phase its phase
   * @param paused whether it is paused
   * @param recorded whether the command was recorded
   */
  public record Commanded(String status, String phase, boolean paused, boolean recorded) {

    /** Whether {@code command} applies to a rollout in this state. */
    public boolean acceptable(Command command) {
      boolean unfinished = "QUEUED".equals(status) || "RUNNING".equals(status);
      if (!unfinished) {
        return false;
      }
      return switch (command) {
        case ABORT -> !"ROLLING_BACK".equals(phase) && !"CLEANING_UP".equals(phase);
        case PAUSE -> "CANARY".equals(phase) && !paused;
        case RESUME -> paused;
        case PROMOTE -> "CANARY".equals(phase);
      };
    }
  }

  private static List<ObjectRef> concat(List<ObjectRef> a, List<ObjectRef> b) {
    List<ObjectRef> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static List<ObjectRef> refs(String json) {
    if (json == null) {
      return List.of();
    }
    try {
      return EventJson.mapper().readValue(json, REFS);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stored objects are unreadable", e);
    }
  }

  private static Optional<Row> first(RowSet<Row> rows) {
    var iterator = rows.iterator();
    return iterator.hasNext() ? Optional.of(iterator.next()) : Optional.empty();
  }

  private <T> T await(Uni<T> work) {
    try {
      return work.await().atMost(timeout);
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RolloutWorkRepository.StoreUnavailableException(e);
    }
  }
}
