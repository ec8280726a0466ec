package dev.slipway.scan.service;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.TooLargeException;
import dev.slipway.scan.config.ScanConfig;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.AdvisoryRepository.UpsertOutcome;
import dev.slipway.scan.service.ImportReport.MalformedFile;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import org.jboss.logging.Logger;

/**
 * Imports OSV files, as osv.dev and GitHub's advisory database publish them, from a zip stream (an
 * upload, read entry by entry, never whole in memory) or a folder of JSON files and zips. One
 * import is one transaction, serialized with other imports: it lands whole, except the files it
 * reports as malformed (by name, line and column), which are left out while the rest lands.
 * Incremental: an advisory replaces the stored one only when its {@code modified} is newer.
 */
@ApplicationScoped
public class AdvisoryImporter {

  private static final Logger LOG = Logger.getLogger(AdvisoryImporter.class);

  /** Key of the advisory lock that serializes imports. */
  private static final long IMPORT_LOCK = 80831;

  private final AdvisoryRepository advisories;
  private final ScanConfig config;

  public AdvisoryImporter(AdvisoryRepository advisories, ScanConfig config) {
    this.advisories = advisories;
    this.config = config;
  }

  /**
   * Imports every {@code .json} entry of a zip read from {@code zip}. Blocks; run it off the event
   * loop.
   *
   * @throws UploadTooLargeException when the stream is longer than allowed
   * @throws ZipFormatException when the stream is no zip
   */
  public ImportReport importZip(InputStream zip) {
    return inSession(
        session ->
            session.readZip("", new LimitedInputStream(zip, config.advisories().maxUploadBytes())));
  }

  /** Imports every {@code .json} and {@code .zip} file below {@code directory}. Blocks. */
  public ImportReport importDirectory(Path directory) {
    return inSession(
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
              try {
                session.entry(name, Files.readAllBytes(file));
              } catch (IOException e) {
                session.malformed(new MalformedFile(name, 0, 0, null, "cannot read: " + e));
              }
            } else if (name.endsWith(".zip")) {
              try (InputStream in = Files.newInputStream(file)) {
                session.readZip(name + "!/", in);
              } catch (IOException e) {
                session.malformed(new MalformedFile(name, 0, 0, null, "cannot read: " + e));
              }
            } else {
              session.skipped++;
            }
          }
        });
  }

  private ImportReport inSession(SessionWork work) {
    long start = System.nanoTime();
    SqlConnection connection = advisories.pool().getConnection().await().indefinitely();
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
        String version = advisories.version(connection).await().indefinitely();
        tx.commit().await().indefinitely();
        ImportReport report = session.report(version, (System.nanoTime() - start) / 1_000_000);
        LOG.infof(
            "advisory import: %d files, %d new, %d updated, %d unchanged, %d withdrawn, %d"
                + " malformed; database version %s",
            report.files(),
            report.inserted(),
            report.updated(),
            report.unchanged(),
            report.withdrawn(),
            report.malformed().size(),
            version);
        return report;
      } catch (RuntimeException e) {
        tx.rollback().await().indefinitely();
        throw e;
      }
    } finally {
      connection.close().await().indefinitely();
    }
  }

  @FunctionalInterface
  private interface SessionWork {
    void run(Session session);
  }

  /** One import: the batch being collected and the counts so far. */
  private final class Session {
    private final SqlConnection connection;
    private final List<Advisory> batch = new ArrayList<>();
    private final List<MalformedFile> malformed = new ArrayList<>();
    private int files;
    private int inserted;
    private int updated;
    private int unchanged;
    private int withdrawn;
    private int skipped;

    Session(SqlConnection connection) {
      this.connection = connection;
    }

    void readZip(String prefix, InputStream in) {
      try (ZipInputStream zip = new ZipInputStream(in)) {
        int entries = 0;
        for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
          entries++;
          String name = prefix + entry.getName();
          if (entry.isDirectory() || !entry.getName().endsWith(".json")) {
            skipped++;
            continue;
          }
          byte[] content = readEntry(zip);
          if (content == null) {
            malformed(
                new MalformedFile(
                    name,
                    0,
                    0,
                    null,
                    "larger than the " + config.advisories().maxEntryBytes() + " bytes allowed"));
            files++;
          } else {
            entry(name, content);
          }
        }
        if (entries == 0) {
          // ZipInputStream reads anything that is not a zip as a zip without entries.
          throw new ZipException("no zip entry found");
        }
      } catch (UploadTooLargeException e) {
        throw e;
      } catch (ZipException e) {
        throw new ZipFormatException(prefix.isEmpty() ? "the upload" : prefix, e.getMessage());
      } catch (IOException e) {
        throw new ZipFormatException(prefix.isEmpty() ? "the upload" : prefix, e.toString());
      }
    }

    private byte[] readEntry(ZipInputStream zip) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = zip.read(buffer)) > 0; ) {
        total += n;
        if (total > config.advisories().maxEntryBytes()) {
          zip.closeEntry();
          return null;
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    }

    void entry(String name, byte[] content) {
      files++;
      JsonNode tree;
      try {
        tree = EventJson.mapper().readTree(content);
      } catch (JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        malformed(
            new MalformedFile(
                name,
                at == null ? 0 : at.getLineNr(),
                at == null ? 0 : at.getColumnNr(),
                null,
                e.getOriginalMessage()));
        return;
      } catch (IOException e) {
        malformed(new MalformedFile(name, 0, 0, null, e.toString()));
        return;
      }
      Advisory advisory;
      try {
        advisory = OsvReader.read(tree);
      } catch (OsvFormatException e) {
        JsonLocation at = JsonPosition.of(content, e.pointer()).orElse(null);
        malformed(
            new MalformedFile(
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

    void malformed(MalformedFile file) {
      LOG.warnf(
          "advisory import: %s left out (line %d, column %d): %s",
          file.file(), file.line(), file.column(), file.message());
      malformed.add(file);
    }

    void flush() {
      if (batch.isEmpty()) {
        return;
      }
      UpsertOutcome outcome = advisories.upsert(connection, batch).await().indefinitely();
      inserted += outcome.inserted();
      updated += outcome.updated();
      unchanged += outcome.unchanged();
      batch.clear();
    }

    ImportReport report(String version, long durationMs) {
      return new ImportReport(
          files, inserted, updated, unchanged, withdrawn, skipped, malformed, version, durationMs);
    }
  }

  /** An upload longer than the import accepts: 413 naming the body. */
  public static final class UploadTooLargeException extends TooLargeException {
    public UploadTooLargeException(long limit) {
      super("the upload is larger than the " + limit + " bytes an import accepts", "body");
    }
  }

  /** An upload that is no readable zip: 400 naming the body. */
  public static final class ZipFormatException extends InvalidInputException {
    public ZipFormatException(String what, String detail) {
      super(what + " is not a readable zip: " + detail, "body");
    }
  }

  /** Counts what is read and fails past the limit, so an upload is bounded while streaming. */
  private static final class LimitedInputStream extends java.io.FilterInputStream {
    private final long limit;
    private long read;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) {
      read += n;
      if (read > limit) {
        throw new UploadTooLargeException(limit);
      }
    }
  }
}
