package dev.slipway.trigger.repository;

import dev.slipway.work.db.Transactions;
import dev.slipway.work.db.Tx;
import dev.slipway.work.outbox.Outbox;
import dev.slipway.work.outbox.OutboxEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Accepts pushes and manual runs durably: in ONE PostgreSQL transaction the delivery is claimed,
 * each run is checked against the pushes already seen, and the commit.received of every new run is
 * appended to the outbox. Nothing waits for Kafka, so the answer only needs the database; the relay
 * publishes afterwards.
 *
 * <p>Two keys make a push count once. The delivery key ({@code (provider, delivery_key)}, primary
 * key of {@code deliveries}): a concurrent copy of the same delivery blocks inside its own {@code
 * INSERT} on the uncommitted key and, once the first commits, finds the row and answers with the
 * stored answer; if the first rolled back, it takes over. And what the push is ({@code
 * (application, ref, commit)}, primary key of {@code pushes}): a replay under a new delivery id
 * within the dedup window finds the run already started and gets it back instead of a new one; a
 * row older than the window is replaced, so the same commit may run again after it. PostgreSQL's
 * unique indexes are the only arbiters, so this holds across instances and restarts.
 */
@ApplicationScoped
public class DeliveryRepository {

  private static final String CLAIM =
      """
      INSERT INTO deliveries (provider, delivery_key, response, fingerprint, received_at)
      VALUES ($1, $2, '', $3, now())
      ON CONFLICT (provider, delivery_key) DO NOTHING
      """;
  private static final String ORIGINAL =
      "SELECT response, fingerprint FROM deliveries WHERE provider = $1 AND delivery_key = $2";
  private static final String ANSWER =
      "UPDATE deliveries SET response = $3 WHERE provider = $1 AND delivery_key = $2";
  private static final String SEEN =
      """
      INSERT INTO pushes (application, ref, commit_sha, run_id, received_at)
      VALUES ($1, $2, $3, $4, now())
      ON CONFLICT (application, ref, commit_sha) DO UPDATE
        SET run_id = EXCLUDED.run_id, received_at = EXCLUDED.received_at
        WHERE pushes.received_at < $5
      RETURNING run_id
      """;
  private static final String FIRST_RUN =
      "SELECT run_id FROM pushes WHERE application = $1 AND ref = $2 AND commit_sha = $3";
  private static final String DELETE_DELIVERIES =
      """
      DELETE FROM deliveries WHERE (provider, delivery_key) IN (
        SELECT provider, delivery_key FROM deliveries WHERE received_at < $1 LIMIT $2)
      """;
  private static final String DELETE_PUSHES =
      """
      DELETE FROM pushes WHERE (application, ref, commit_sha) IN (
        SELECT application, ref, commit_sha FROM pushes WHERE received_at < $1 LIMIT $2)
      """;

  private final Pool pool;
  private final Transactions transactions;
  private final Outbox outbox;

  public DeliveryRepository(Pool pool, Transactions transactions, Outbox outbox) {
    this.pool = pool;
    this.transactions = transactions;
    this.outbox = outbox;
  }

  /**
   * One run a request asks for.
   *
   * @param application the application it runs
   * @param ref the full ref
   * @param commitSha the commit
   * @param runId the run id its event carries
   * @param event the event as the outbox keeps it
   * @param dedup whether an earlier push of the same commit to the same ref counts as this run
   */
  public record NewRun(
      String application,
      String ref,
      String commitSha,
      String runId,
      OutboxEvent event,
      boolean dedup) {}

  /**
   * What became of a run.
   *
   * @param run the run as asked for
   * @param runId its run id, or the run id of the same push accepted earlier
   * @param started whether this request started it (false: the earlier run stands)
   */
  public record RunOutcome(NewRun run, String runId, boolean started) {}

  /**
   * What became of a request.
   *
   * @param kind whether runs were started, all had been seen, or the delivery key was known
   * @param response the answer to give (for a known key: the answer given the first time)
   * @param fingerprint what the first request with this key asked for (manual runs), or null
   */
  public record Acceptance(Kind kind, String response, String fingerprint) {

    /** How a request was taken. */
    public enum Kind {
      /** At least one run was started. */
      STARTED,
      /** Every run had been started by an earlier push of the same commit. */
      ALREADY_RUNNING,
      /** The delivery key was seen before: nothing was done again. */
      REDELIVERY
    }
  }

  /**
   * Accepts {@code runs} under {@code deliveryKey} of {@code provider} (null: no key, always
   * accepted), storing the answer {@code answer} makes of their outcomes. {@code window} is the
   * dedup window of pushes.
   */
  public Uni<Acceptance> accept(
      String provider,
      String deliveryKey,
      String fingerprint,
      List<NewRun> runs,
      Duration window,
      Function<List<RunOutcome>, String> answer) {
    return transactions.run(
        tx -> {
          Uni<Boolean> claimed =
              deliveryKey == null
                  ? Uni.createFrom().item(true)
                  : tx.sql()
                      .preparedQuery(CLAIM)
                      .execute(Tuple.of(provider, deliveryKey, fingerprint))
                      .map(inserted -> inserted.rowCount() == 1);
          return claimed.flatMap(
              first ->
                  first
                      ? start(tx, provider, deliveryKey, runs, window, answer)
                      : original(tx, provider, deliveryKey));
        });
  }

  private Uni<Acceptance> start(
      Tx tx,
      String provider,
      String deliveryKey,
      List<NewRun> runs,
      Duration window,
      Function<List<RunOutcome>, String> answer) {
    OffsetDateTime windowStart = OffsetDateTime.now(ZoneOffset.UTC).minus(window);
    // One statement after the other: a transaction's connection takes no concurrent queries.
    return Multi.createFrom()
        .iterable(runs)
        .onItem()
        .transformToUniAndConcatenate(run -> startOne(tx, run, windowStart))
        .collect()
        .asList()
        .flatMap(
            outcomes -> {
              String response = answer.apply(outcomes);
              boolean started = outcomes.stream().anyMatch(RunOutcome::started);
              Acceptance acceptance =
                  new Acceptance(
                      started ? Acceptance.Kind.STARTED : Acceptance.Kind.ALREADY_RUNNING,
                      response,
                      null);
              if (deliveryKey == null) {
                return Uni.createFrom().item(acceptance);
              }
              return tx.sql()
                  .preparedQuery(ANSWER)
                  .execute(Tuple.of(provider, deliveryKey, response))
                  .replaceWith(acceptance);
            });
  }

  private Uni<RunOutcome> startOne(Tx tx, NewRun run, OffsetDateTime since) {
    Uni<String> earlier =
        run.dedup()
            ? tx.sql()
                .preparedQuery(SEEN)
                .execute(
                    Tuple.of(run.application(), run.ref(), run.commitSha(), run.runId(), since))
                .flatMap(
                    rows ->
                        rows.rowCount() == 1
                            ? Uni.createFrom().nullItem()
                            : tx.sql()
                                .preparedQuery(FIRST_RUN)
                                .execute(Tuple.of(run.application(), run.ref(), run.commitSha()))
                                .map(DeliveryRepository::firstColumn))
            : Uni.createFrom().nullItem();
    return earlier.flatMap(
        runId ->
            runId != null
                ? Uni.createFrom().item(new RunOutcome(run, runId, false))
                : outbox
                    .add(tx, List.of(run.event()))
                    .replaceWith(new RunOutcome(run, run.runId(), true)));
  }

  /**
   * One delivery of {@link #acceptAll}.
   *
   * @param provider the Git host
   * @param deliveryKey its delivery id (never null)
   * @param runs the runs it asks for
   * @param answer the answer made of the runs' outcomes, stored for a redelivery
   */
  public record Delivery(
      String provider,
      String deliveryKey,
      List<NewRun> runs,
      Function<List<RunOutcome>, String> answer) {}

  /**
   * Accepts {@code batch} in ONE transaction and one commit, each delivery exactly as {@link
   * #accept} would, in the batch's order (a run seen by an earlier delivery of the batch is that
   * delivery's run). Each statement is sent once for the whole batch (a pipelined batch: one round
   * trip), so a batch costs the round trips and the commit of a single push. The delivery keys must
   * be distinct. Anything that fails rolls the whole batch back: nothing of any of them is stored.
   */
  public Uni<List<Acceptance>> acceptAll(List<Delivery> batch, Duration window) {
    if (batch.stream().map(d -> d.provider() + "\n" + d.deliveryKey()).distinct().count()
        != batch.size()) {
      return Uni.createFrom()
          .failure(new IllegalArgumentException("a batch takes each delivery key once"));
    }
    OffsetDateTime windowStart = OffsetDateTime.now(ZoneOffset.UTC).minus(window);
    return transactions.run(
        tx ->
            each(
                    tx,
                    CLAIM,
                    batch.stream().map(d -> Tuple.of(d.provider(), d.deliveryKey(), null)).toList())
                .flatMap(
                    claims -> {
                      List<Integer> claimed = new ArrayList<>();
                      List<Integer> known = new ArrayList<>();
                      for (int i = 0; i < batch.size(); i++) {
                        (claims.get(i).rowCount() == 1 ? claimed : known).add(i);
                      }
                      return originals(tx, batch, known)
                          .flatMap(
                              acceptances ->
                                  startAll(tx, batch, claimed, windowStart, acceptances));
                    }));
  }

  /** The stored answers of the deliveries at {@code known}, at their places (others null). */
  private static Uni<Acceptance[]> originals(Tx tx, List<Delivery> batch, List<Integer> known) {
    Acceptance[] acceptances = new Acceptance[batch.size()];
    if (known.isEmpty()) {
      return Uni.createFrom().item(acceptances);
    }
    return each(
            tx,
            ORIGINAL,
            known.stream()
                .map(i -> Tuple.of(batch.get(i).provider(), batch.get(i).deliveryKey()))
                .toList())
        .map(
            rows -> {
              for (int k = 0; k < known.size(); k++) {
                Row row = rows.get(k).iterator().next();
                acceptances[known.get(k)] =
                    new Acceptance(Acceptance.Kind.REDELIVERY, row.getString(0), row.getString(1));
              }
              return acceptances;
            });
  }

  /** The runs of the deliveries at {@code claimed}, their outbox rows and stored answers. */
  private Uni<List<Acceptance>> startAll(
      Tx tx,
      List<Delivery> batch,
      List<Integer> claimed,
      OffsetDateTime windowStart,
      Acceptance[] acceptances) {
    List<NewRun> runs = new ArrayList<>();
    for (int i : claimed) {
      runs.addAll(batch.get(i).runs());
    }
    List<NewRun> dedup = runs.stream().filter(NewRun::dedup).toList();
    return each(
            tx,
            SEEN,
            dedup.stream()
                .map(r -> Tuple.of(r.application(), r.ref(), r.commitSha(), r.runId(), windowStart))
                .toList())
        .flatMap(
            seen -> {
              List<NewRun> earlier = new ArrayList<>();
              for (int k = 0; k < dedup.size(); k++) {
                if (seen.get(k).rowCount() != 1) {
                  earlier.add(dedup.get(k));
                }
              }
              return each(
                      tx,
                      FIRST_RUN,
                      earlier.stream()
                          .map(r -> Tuple.of(r.application(), r.ref(), r.commitSha()))
                          .toList())
                  .map(
                      firsts -> {
                        Map<NewRun, String> runIds = new IdentityHashMap<>();
                        for (int k = 0; k < earlier.size(); k++) {
                          runIds.put(earlier.get(k), firstColumn(firsts.get(k)));
                        }
                        return runIds;
                      });
            })
        .flatMap(
            earlierRuns -> {
              List<OutboxEvent> events = new ArrayList<>();
              List<Tuple> answers = new ArrayList<>();
              for (int i : claimed) {
                Delivery delivery = batch.get(i);
                List<RunOutcome> outcomes = new ArrayList<>();
                for (NewRun run : delivery.runs()) {
                  String earlier = earlierRuns.get(run);
                  if (earlier == null) {
                    events.add(run.event());
                  }
                  outcomes.add(
                      new RunOutcome(
                          run, earlier == null ? run.runId() : earlier, earlier == null));
                }
                String response = delivery.answer().apply(outcomes);
                boolean started = outcomes.stream().anyMatch(RunOutcome::started);
                acceptances[i] =
                    new Acceptance(
                        started ? Acceptance.Kind.STARTED : Acceptance.Kind.ALREADY_RUNNING,
                        response,
                        null);
                answers.add(Tuple.of(delivery.provider(), delivery.deliveryKey(), response));
              }
              return outbox
                  .add(tx, events)
                  .flatMap(added -> each(tx, ANSWER, answers))
                  .map(answered -> Arrays.asList(acceptances));
            });
  }

  /**
   * Runs {@code sql} once per tuple in one pipelined batch; the result of each, in order (none for
   * no tuples).
   */
  private static Uni<List<RowSet<Row>>> each(Tx tx, String sql, List<Tuple> tuples) {
    if (tuples.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return tx.sql()
        .preparedQuery(sql)
        .executeBatch(tuples)
        .map(
            first -> {
              List<RowSet<Row>> results = new ArrayList<>(tuples.size());
              for (RowSet<Row> rows = first; rows != null; rows = rows.next()) {
                results.add(rows);
              }
              if (results.size() != tuples.size()) {
                throw new IllegalStateException(
                    results.size() + " results for a batch of " + tuples.size());
              }
              return results;
            });
  }

  private static Uni<Acceptance> original(Tx tx, String provider, String deliveryKey) {
    return tx.sql()
        .preparedQuery(ORIGINAL)
        .execute(Tuple.of(provider, deliveryKey))
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new Acceptance(Acceptance.Kind.REDELIVERY, row.getString(0), row.getString(1));
            });
  }

  private static String firstColumn(RowSet<Row> rows) {
    return rows.iterator().next().getString(0);
  }

  /** Deletes up to {@code limit} deliveries received before {@code cutoff}; returns how many. */
  public Uni<Integer> deleteDeliveriesBefore(OffsetDateTime cutoff, int limit) {
    return pool.preparedQuery(DELETE_DELIVERIES)
        .execute(Tuple.of(cutoff, limit))
        .map(RowSet::rowCount);
  }

  /** Deletes up to {@code limit} seen pushes older than {@code cutoff}; returns how many. */
  public Uni<Integer> deletePushesBefore(OffsetDateTime cutoff, int limit) {
    return pool.preparedQuery(DELETE_PUSHES).execute(Tuple.of(cutoff, limit)).map(RowSet::rowCount);
  }
}
