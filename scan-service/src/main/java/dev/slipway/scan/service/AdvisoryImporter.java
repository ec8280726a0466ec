package dev.slipway.scan.service;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.TooLargeException;
import dev.slipway.scan.config.ScanConfig;
import dev.slipway.scan.osv.Advisory;
import dev.slipway.scan.osv.JsonPosition;
import dev.slipway.scan.osv.OsvFormatException;
import dev.slipway.scan.osv.OsvReader;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.AdvisoryRepository.Quarantined;
import dev.slipway.scan.repository.AdvisoryRepository.UpsertOutcome;
import dev.slipway.scan.repository.DatabaseState;
import dev.slipway.scan.repository.ReevaluationRepository;
import dev.slipway.scan.service.ImportReport.QuarantinedFile;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.jboss.logging.Logger;

/**
 * Imports OSV files, as osv.dev and GitHub's advisory database publish them, from an uploaded zip
 * or a folder of JSON files and zips. One import is one transaction, serialised with other imports.
 * A file that is malformed, empty or too large is quarantined (reported, recorded, left out) and
 * the rest lands; in a folder, a zip that is no zip or breaks the limits (entries, decompressed
 * bytes, compression ratio) is quarantined whole and the other files land. An uploaded zip is
 * spooled to disk (bounded, never whole in memory) and read through its central directory, so an
 * oversized entry is skipped without being inflated and decompression stops at every limit; an
 * upload past a limit is refused whole (413). Incremental: an advisory replaces the stored one only
 * when its {@code modified} is newer. Afterwards the database's version is recomputed from its
 * content and, when advisories changed, a re-evaluation of the running digests is queued in the
 * same transaction.
 */
@ApplicationScoped
public class AdvisoryImporter {

  private static final Logger LOG = Logger.getLogger(AdvisoryImporter.class);

  /** Key of the advisory lock that serialises imports. */
  private static final long IMPORT_LOCK = 80831;

  /** Decompressed bytes after which the compression ratio is checked. */
  private static final long RATIO_FLOOR = 1 << 20;

  private final AdvisoryRepository advisories;
  private final ReevaluationRepository reevaluations;
  private final ScanConfig config;
  private final Event<AdvisoriesChanged> changed;

  public AdvisoryImporter(
      AdvisoryRepository advisories,
      ReevaluationRepository reevaluations,
      ScanConfig config,
      Event<AdvisoriesChanged> changed) {
    this.advisories = advisories;
    this.reevaluations = reevaluations;
    this.config = config;
    this.changed = changed;
  }

  /** Advisories changed and a re-evaluation was queued; fired after the import committed. */
  public record AdvisoriesChanged(String dbVersion, int advisories) {}

  /**
   * Imports every {@code .json} entry of a zip read from {@code zip}. Blocks; run it off the event
   * loop.
   *
   * @throws UploadTooLargeException when the upload or its content is past a limit
   * @throws ZipFormatException when the stream is no zip
   */
  public ImportReport importZip(InputStream zip) {
    Path spool = spool(zip);
    try {
      return inSession(
          "upload",
          session -> {
            try {
              session.readZip("", spool);
            } catch (ZipLimitException e) {
              throw new UploadTooLargeException(e.getMessage());
            } catch (IOException e) {
              throw new ZipFormatException("the upload", e.getMessage());
            }
          });
    } finally {
      try {
        Files.deleteIfExists(spool);
      } catch (IOException e) {
        LOG.warnf("cannot remove the spooled upload %s: %s", spool, e);
      }
    }
  }

  /** Imports every {@code .json} and {@code .zip} file below {@code directory}. Blocks. */
  public ImportReport importDirectory(Path directory) {
    return inSession(
        directory.toString(),
        session -> {
          List<Path> files;
          try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
          } catch (IOException e) {
            throw new IllegalStateException("cannot list " + directory + ": " + e, e);
          }
          for (Path file : files) {
            String name = directory.relativize(file).toString();
            if (name.endsWith(".json")) {
              session.jsonFile(name, file);
            } else if (name.endsWith(".zip")) {
              session.folderZip(name, file);
            } else {
              session.skipped++;
            }
          }
        });
  }

  /** Writes an upload to a temporary file, refusing it past the upload limit. */
  private Path spool(InputStream in) {
    long limit = config.advisories().maxUploadBytes();
    Path file;
    try {
      file = Files.createTempFile("osv-upload-", ".zip");
    } catch (IOException e) {
      throw new IllegalStateException("cannot spool the upload: " + e, e);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        total += n;
        if (total > limit) {
          throw new UploadTooLargeException(
              "the upload is larger than the " + limit + " bytes an import accepts");
        }
        out.write(buffer, 0, n);
      }
      return file;
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // the failure below says what matters
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("cannot spool the upload: " + e, e);
    }
  }

  private ImportReport inSession(String source, SessionWork work) {
    long start = System.nanoTime();
    SqlConnection connection = advisories.pool().getConnection().await().indefinitely();
    ImportReport report;
    try {
      Transaction tx = connection.begin().await().indefinitely();
      try {
        connection
            .preparedQuery("SELECT pg_advisory_xact_lock($1)")
            .execute(Tuple.of(IMPORT_LOCK))
            .await()
            .indefinitely();
        Session session = new Session(connection);
        work.run(session);
        session.flush();
        advisories.quarantine(connection, source, session.quarantinedRows()).await().indefinitely();
        DatabaseState state = advisories.refresh(connection).await().indefinitely();
        if (!session.changed.isEmpty()) {
          reevaluations
              .enqueue(connection, state.version(), List.copyOf(session.changed))
              .await()
              .indefinitely();
        }
        if (session.changed.size() * 10L >= state.advisories()) {
          // A tenth of the database or more changed: the planner's statistics are renewed in the
          // import's own transaction, so the scans after a large import are planned on what is
          // there now, not on what autovacuum last saw (a scan took 1.9 s instead of 0.1 s until
          // it did: ./slipway bench scan-service).
          connection.query("ANALYZE advisories, affected").execute().await().indefinitely();
        }
        tx.commit().await().indefinitely();
        report =
            session.report(state.state(), state.version(), (System.nanoTime() - start) / 1_000_000);
        if (!session.changed.isEmpty()) {
          changed.fire(new AdvisoriesChanged(state.version(), session.changed.size()));
        }
      } catch (RuntimeException e) {
        tx.rollback().await().indefinitely();
        throw e;
      }
    } finally {
      connection.close().await().indefinitely();
    }
    LOG.infof(
        "advisory import from %s: %d files, %d new, %d updated, %d unchanged, %d withdrawn, %d"
            + " quarantined; database %s, version %s",
        source,
        report.files(),
        report.inserted(),
        report.updated(),
        report.unchanged(),
        report.withdrawn(),
        report.quarantined().size(),
        report.state(),
        report.dbVersion());
    return report;
  }

  @FunctionalInterface
  private interface SessionWork {
    void run(Session session);
  }

  /** One import: the batch being collected and the counts so far. */
  private final class Session {
    private final SqlConnection connection;
    private final List<Advisory> batch = new ArrayList<>();
    private final List<QuarantinedFile> quarantined = new ArrayList<>();
    private final Set<String> changed = new LinkedHashSet<>();
    private int files;
    private int inserted;
    private int updated;
    private int unchanged;
    private int withdrawn;
    private int skipped;
    private int savepoints;

    Session(SqlConnection connection) {
      this.connection = connection;
    }

    void jsonFile(String name, Path file) {
      try {
        long size = Files.size(file);
        if (size > config.advisories().maxEntryBytes()) {
          files++;
          quarantine(new QuarantinedFile(name, 0, 0, null, tooLarge(size)));
          return;
        }
        entry(name, Files.readAllBytes(file));
      } catch (IOException e) {
        files++;
        quarantine(new QuarantinedFile(name, 0, 0, null, "cannot read: " + e));
      }
    }

    /** A zip of the folder: imported under a savepoint, so a zip past a limit lands not at all. */
    void folderZip(String name, Path file) {
      flush();
      String savepoint = "zip_" + (++savepoints);
      Counts before = counts();
      execute("SAVEPOINT " + savepoint);
      try {
        readZip(name + "!/", file);
        flush();
        execute("RELEASE SAVEPOINT " + savepoint);
      } catch (ZipLimitException | IOException e) {
        batch.clear();
        execute("ROLLBACK TO SAVEPOINT " + savepoint);
        restore(before);
        String reason =
            e instanceof ZipLimitException
                ? e.getMessage() + "; nothing of it was imported"
                : "not a readable zip: " + e.getMessage();
        quarantine(new QuarantinedFile(name, 0, 0, null, reason));
      }
    }

    /** Reads every {@code .json} entry of a zip through its central directory, within limits. */
    void readZip(String prefix, Path file) throws IOException {
      try (ZipFile zip = new ZipFile(file.toFile(), StandardCharsets.UTF_8)) {
        if (zip.size() > config.advisories().maxEntries()) {
          throw new ZipLimitException(
              "the zip holds "
                  + zip.size()
                  + " entries, more than the "
                  + config.advisories().maxEntries()
                  + " allowed");
        }
        if (zip.size() == 0) {
          throw new ZipException("no zip entry found");
        }
        long[] decompressed = {0};
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
          ZipEntry entry = entries.nextElement();
          String name = prefix + entry.getName();
          if (entry.isDirectory() || !entry.getName().endsWith(".json")) {
            skipped++;
            continue;
          }
          if (entry.getSize() > config.advisories().maxEntryBytes()) {
            files++;
            quarantine(new QuarantinedFile(name, 0, 0, null, tooLarge(entry.getSize())));
            continue;
          }
          byte[] content;
          try (InputStream in = zip.getInputStream(entry)) {
            content = readBounded(in, entry, decompressed);
          }
          if (content == null) {
            files++;
            quarantine(
                new QuarantinedFile(
                    name, 0, 0, null, tooLarge(config.advisories().maxEntryBytes() + 1)));
          } else {
            entry(name, content);
          }
        }
      } catch (ZipException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    /**
     * The entry's bytes, or null past the per-file limit; past the total or ratio limit the zip is
     * refused. Decompression stops at whichever limit comes first.
     */
    private byte[] readBounded(InputStream in, ZipEntry entry, long[] decompressed)
        throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      long read = 0;
      long compressed = Math.max(1, entry.getCompressedSize());
      for (int n; (n = in.read(buffer)) > 0; ) {
        read += n;
        decompressed[0] += n;
        if (decompressed[0] > config.advisories().maxDecompressedBytes()) {
          throw new ZipLimitException(
              "the zip decompresses to more than the "
                  + config.advisories().maxDecompressedBytes()
                  + " bytes allowed");
        }
        if (read > RATIO_FLOOR && read / compressed > config.advisories().maxCompressionRatio()) {
          throw new ZipLimitException(
              "entry "
                  + entry.getName()
                  + " decompresses more than "
                  + config.advisories().maxCompressionRatio()
                  + " times its compressed size (a zip bomb)");
        }
        if (read > config.advisories().maxEntryBytes()) {
          return null;
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    }

    void entry(String name, byte[] content) {
      files++;
      if (new String(content, StandardCharsets.UTF_8).isBlank()) {
        quarantine(new QuarantinedFile(name, 0, 0, null, "empty file"));
        return;
      }
      JsonNode tree;
      try {
        tree = EventJson.mapper().readTree(content);
      } catch (JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        quarantine(
            new QuarantinedFile(
                name,
                at == null ? 0 : at.getLineNr(),
                at == null ? 0 : at.getColumnNr(),
                null,
                e.getOriginalMessage()));
        return;
      } catch (IOException e) {
        quarantine(new QuarantinedFile(name, 0, 0, null, e.toString()));
        return;
      }
      Advisory advisory;
      try {
        advisory = OsvReader.read(tree);
      } catch (OsvFormatException e) {
        JsonLocation at = JsonPosition.of(content, e.pointer()).orElse(null);
        quarantine(
            new QuarantinedFile(
                name,
                at == null ? 0 : at.getLineNr(),
                at == null ? 0 : at.getColumnNr(),
                e.pointer(),
                e.getMessage()));
        return;
      }
      if (advisory.isWithdrawn()) {
        withdrawn++;
      }
      batch.add(advisory);
      if (batch.size() >= config.advisories().batchSize()) {
        flush();
      }
    }

    void quarantine(QuarantinedFile file) {
      LOG.warnf(
          "advisory import: %s quarantined (line %d, column %d): %s",
          file.file(), file.line(), file.column(), file.message());
      quarantined.add(file);
    }

    List<Quarantined> quarantinedRows() {
      return quarantined.stream()
          .map(
              f ->
                  new Quarantined(
                      f.file(),
                      f.message(),
                      f.line() == 0 ? null : f.line(),
                      f.column() == 0 ? null : f.column(),
                      f.pointer()))
          .toList();
    }

    void flush() {
      if (batch.isEmpty()) {
        return;
      }
      UpsertOutcome outcome = advisories.upsert(connection, batch).await().indefinitely();
      inserted += outcome.inserted();
      updated += outcome.updated();
      unchanged += outcome.unchanged();
      changed.addAll(outcome.changed());
      batch.clear();
    }

    private void execute(String sql) {
      connection.query(sql).execute().await().indefinitely();
    }

    private String tooLarge(long size) {
      return "larger than the "
          + config.advisories().maxEntryBytes()
          + " bytes a file may have ("
          + size
          + " bytes); not decompressed";
    }

    private Counts counts() {
      return new Counts(
          files,
          inserted,
          updated,
          unchanged,
          withdrawn,
          skipped,
          quarantined.size(),
          List.copyOf(changed));
    }

    private void restore(Counts c) {
      files = c.files;
      inserted = c.inserted;
      updated = c.updated;
      unchanged = c.unchanged;
      withdrawn = c.withdrawn;
      skipped = c.skipped;
      quarantined.subList(c.quarantined, quarantined.size()).clear();
      changed.clear();
      changed.addAll(c.changed);
    }

    ImportReport report(DatabaseState.State state, String version, long durationMs) {
      return new ImportReport(
          files,
          inserted,
          updated,
          unchanged,
          withdrawn,
          skipped,
          quarantined,
          state,
          version,
          durationMs);
    }
  }

  private record Counts(
      int files,
      int inserted,
      int updated,
      int unchanged,
      int withdrawn,
      int skipped,
      int quarantined,
      List<String> changed) {}

  /** A zip past one of the import's limits. */
  private static final class ZipLimitException extends RuntimeException {
    ZipLimitException(String message) {
      super(message);
    }
  }

  /** An upload (or its content) past the limits an import accepts: 413 naming the body. */
  public static final class UploadTooLargeException extends TooLargeException {
    public UploadTooLargeException(String message) {
      super(message, "body");
    }
  }

  /** An upload that is no readable zip: 400 naming the body. */
  public static final class ZipFormatException extends InvalidInputException {
    public ZipFormatException(String what, String detail) {
      super(what + " is not a readable zip: " + detail, "body");
    }
  }
}
