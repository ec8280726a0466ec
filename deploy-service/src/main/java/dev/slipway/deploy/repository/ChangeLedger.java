package dev.slipway.deploy.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.slipway.deploy.ChangePush;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.Person;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Every push of every application, with who wrote, committed or pushed it, in the order pushes
 * arrived. A promotion's change is every push on its ref after the one the environment's release
 * came from, up to the approved run's; the people of those pushes may not approve it.
 */
@ApplicationScoped
public class ChangeLedger {

  /** Pushes looked at for one decision; a longer change is cut to its newest pushes. */
  static final int MAX_PUSHES = 500;

  private static final String INSERT =
      """
      INSERT INTO change_contributors (event_id, application, run_id, ref, commit_sha, provider,
                                       actor, people)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb)
      ON CONFLICT (event_id) DO NOTHING
      """;

  // $1 application, $2 ref, $3 the approved run, $4 the run the environment's release came from.
  // A run the ledger never saw bounds nothing: its side stays open (more people excluded, never
  // fewer).
  private static final String SINCE_RELEASE =
      """
      SELECT commit_sha, provider, actor, people::text AS people FROM change_contributors
      WHERE application = $1 AND ref = $2
        AND seq <= COALESCE((SELECT max(seq) FROM change_contributors WHERE run_id = $3),
                            9223372036854775807)
        AND seq > COALESCE((SELECT max(seq) FROM change_contributors WHERE run_id = $4), 0)
      ORDER BY seq DESC
      LIMIT $5
      """;

  private static final String RELEASE_RUN =
      """
      SELECT run_id FROM rollouts
      WHERE application = $1 AND environment = $2 AND status = 'SUCCEEDED'
      ORDER BY finished_at DESC LIMIT 1
      """;

  private static final TypeReference<List<Person>> PEOPLE = new TypeReference<>() {};

  private final Pool pool;

  public ChangeLedger(Pool pool) {
    this.pool = pool;
  }

  /** Records one push; a redelivered commit.received changes nothing. */
  public Uni<Boolean> record(Envelope<CommitReceived> event) {
    CommitReceived commit = event.data();
    List<Person> people = new ArrayList<>(commit.contributors());
    people.add(commit.author());
    return pool.preparedQuery(INSERT)
        .execute(
            Tuple.from(
                Arrays.asList(
                    event.id(),
                    event.subject(),
                    event.runId(),
                    commit.ref(),
                    commit.commitSha(),
                    commit.provider(),
                    commit.actor(),
                    JsonColumns.write(people))))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Whether the push that started run {@code runId} is in the ledger. */
  public Uni<Boolean> knows(SqlClient client, String runId) {
    return client
        .preparedQuery("SELECT EXISTS (SELECT 1 FROM change_contributors WHERE run_id = $1)")
        .execute(Tuple.of(runId))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /**
   * The pushes of the change {@code runId} would bring into {@code environment}, newest first: on
   * {@code ref} since the push of the environment's current release.
   */
  public Uni<List<ChangePush>> changeSinceRelease(
      SqlClient client, String application, String environment, String ref, String runId) {
    return client
        .preparedQuery(RELEASE_RUN)
        .execute(Tuple.of(application, environment))
        .flatMap(
            rows -> {
              String releaseRun = rows.size() == 0 ? null : rows.iterator().next().getString(0);
              return client
                  .preparedQuery(SINCE_RELEASE)
                  .execute(Tuple.of(application, ref, runId, releaseRun, MAX_PUSHES));
            })
        .map(
            rows ->
                StreamSupport.stream(rows.spliterator(), false).map(ChangeLedger::toPush).toList());
  }

  private static ChangePush toPush(Row row) {
    List<Person> people;
    try {
      people = EventJson.mapper().readValue(row.getString("people"), PEOPLE);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stored contributors are unreadable", e);
    }
    return new ChangePush(
        row.getString("commit_sha"),
        row.getString("provider"),
        row.getString("actor"),
        null,
        people);
  }
}
