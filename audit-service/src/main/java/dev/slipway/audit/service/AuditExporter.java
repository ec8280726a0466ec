package dev.slipway.audit.service;

import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.content.AuditContent;
import dev.slipway.audit.merkle.CompactRange;
import dev.slipway.audit.repository.CheckpointRepository;
import dev.slipway.audit.repository.LogSnapshots;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.Writer;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a range of the log as lines, straight from a database cursor to the client, a bounded
 * number of rows in memory whatever the range, and ends an NDJSON export with its {@link
 * ExportTrailer}. The rows, the log's size and the tree come from one snapshot. When the client
 * goes away the write fails, and the cursor and its connection are given back at once.
 */
@ApplicationScoped
public class AuditExporter {

  /**
   * What to export.
   *
   * @param fromSeq first row, default 1
   * @param toSeq last row, default the last
   * @param from event time at or after, or null
   * @param to event time before, or null
   */
  public record Range(Long fromSeq, Long toSeq, OffsetDateTime from, OffsetDateTime to) {}

  private final LogSnapshots snapshots;
  private final CheckpointRepository checkpoints;
  private final AuditConfig config;

  public AuditExporter(
      LogSnapshots snapshots, CheckpointRepository checkpoints, AuditConfig config) {
    this.snapshots = snapshots;
    this.checkpoints = checkpoints;
    this.config = config;
  }

  /** Writes {@code range} in {@code format} to {@code out}. */
  public void export(Range range, AuditExportFormat format, Writer out) throws IOException {
    String checkpoint = checkpoints.latest().map(Checkpoint::note).orElse(null);
    snapshots.read(
        snapshot -> {
          for (String line : format.header()) {
            out.write(line);
          }
          long first = range.fromSeq() != null ? range.fromSeq() : 1;
          long last =
              Math.min(range.toSeq() != null ? range.toSeq() : Long.MAX_VALUE, snapshot.size());
          List<String> where = new ArrayList<>(List.of("seq BETWEEN ? AND ?"));
          List<Object> params = new ArrayList<>(List.of(first, last));
          if (range.from() != null) {
            where.add("event_time >= ?");
            params.add(range.from());
          }
          if (range.to() != null) {
            where.add("event_time < ?");
            params.add(range.to());
          }
          CompactRange root = CompactRange.empty();
          long[] firstAndLast = {-1, -1};
          snapshot.rows(
              String.join(" AND ", where),
              params,
              config.export().fetchSize(),
              row -> {
                out.write(format.line(row));
                root.append(AuditContent.fromHex(row.leafHash()));
                if (firstAndLast[0] < 0) {
                  firstAndLast[0] = row.seq();
                }
                firstAndLast[1] = row.seq();
                return true;
              });
          boolean contiguous = range.from() == null && range.to() == null;
          Long firstSeq = root.size() > 0 ? firstAndLast[0] : null;
          ExportTrailer.Prefix prefix = null;
          if (contiguous && firstSeq != null) {
            prefix =
                new ExportTrailer.Prefix(
                    firstSeq - 1,
                    snapshot.tree().frontier(firstSeq - 1).hashes().stream()
                        .map(AuditContent::hex)
                        .toList());
          }
          String trailer =
              format.trailer(
                  new ExportTrailer(
                      root.size(),
                      firstSeq,
                      root.size() > 0 ? firstAndLast[1] : null,
                      contiguous,
                      snapshot.size(),
                      AuditContent.hex(root.root()),
                      prefix,
                      checkpoint));
          if (trailer != null) {
            out.write(trailer);
          }
          out.flush();
          return null;
        });
  }
}
