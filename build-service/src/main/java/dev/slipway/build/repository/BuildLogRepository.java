package dev.slipway.build.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Build logs, one row a line, already masked; readable while the build still writes them. */
@ApplicationScoped
public class BuildLogRepository {

  private static final String APPEND =
      """
      INSERT INTO build_log (build_id, seq, line)
      SELECT $1, s, l FROM unnest($2::bigint[], $3::text[]) AS t(s, l)
      ON CONFLICT (build_id, seq) DO NOTHING
      """;

  private static final String NEXT_SEQ =
      "SELECT coalesce(max(seq), 0) + 1 FROM build_log WHERE build_id = $1";

  private static final String READ =
      """
      SELECT seq, line FROM build_log WHERE build_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
      """;

  private final Pool pool;

  public BuildLogRepository(Pool pool) {
    this.pool = pool;
  }

  /** One numbered line. */
  public record Line(long seq, String line) {}

  /** Appends lines numbered from {@code firstSeq}. */
  public Uni<Void> append(String buildId, long firstSeq, List<String> lines) {
    Long[] seqs = new Long[lines.size()];
    for (int i = 0; i < seqs.length; i++) {
      seqs[i] = firstSeq + i;
    }
    // PostgreSQL text cannot hold NUL; a step may print one.
    String[] text = lines.stream().map(l -> l.replace('\0', '\uFFFD')).toArray(String[]::new);
    return pool.preparedQuery(APPEND).execute(Tuple.of(buildId, seqs, text)).replaceWithVoid();
  }

  /** The sequence number the next line of the build gets (a takeover goes on after the old). */
  public Uni<Long> nextSeq(String buildId) {
    return pool.preparedQuery(NEXT_SEQ)
        .execute(Tuple.of(buildId))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Up to {@code limit} lines after {@code afterSeq}. */
  public Uni<List<Line>> read(String buildId, long afterSeq, int limit) {
    return pool.preparedQuery(READ)
        .execute(Tuple.of(buildId, afterSeq, limit))
        .map(
            rows -> {
              List<Line> lines = new ArrayList<>();
              for (Row row : rows) {
                lines.add(new Line(row.getLong("seq"), row.getString("line")));
              }
              return lines;
            });
  }
}
