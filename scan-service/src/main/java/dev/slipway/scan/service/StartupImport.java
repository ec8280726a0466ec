package dev.slipway.scan.service;

import dev.slipway.scan.config.ScanConfig;
import dev.slipway.scan.repository.AdvisoryRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Imports the configured advisory folder once at start, in the background so the service is up at
 * once; scan workers wait for the first attempt, so no build is judged against a database still
 * being filled. A folder that is missing, or an import that fails, marks the database FAILED with
 * the reason (scans then end ERROR instead of passing) and the import is tried again with back-off.
 */
@ApplicationScoped
public class StartupImport {

  private static final Logger LOG = Logger.getLogger(StartupImport.class);
  private static final Duration MARK_TIMEOUT = Duration.ofSeconds(30);

  private final AdvisoryImporter importer;
  private final AdvisoryRepository advisories;
  private final ScanConfig config;
  private final CountDownLatch firstAttempt = new CountDownLatch(1);
  private ExecutorService thread;

  public StartupImport(
      AdvisoryImporter importer, AdvisoryRepository advisories, ScanConfig config) {
    this.importer = importer;
    this.advisories = advisories;
    this.config = config;
  }

  void start(@Observes StartupEvent startup) {
    if (config.advisories().directory().isEmpty()) {
      firstAttempt.countDown();
      return;
    }
    Path directory = config.advisories().directory().get();
    thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "advisory-import"));
    thread.submit(() -> run(directory));
  }

  void stop(@Observes ShutdownEvent shutdown) {
    if (thread != null) {
      thread.shutdownNow();
    }
  }

  private void run(Path directory) {
    try {
      for (int attempt = 1; ; attempt++) {
        String failure = importOnce(directory);
        if (failure == null) {
          return;
        }
        markFailed(failure);
        firstAttempt.countDown();
        Thread.sleep(Math.min(60_000, 1_000L * attempt * attempt));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      firstAttempt.countDown();
    }
  }

  /** One import of the folder; the reason it failed, or null. */
  private String importOnce(Path directory) {
    if (!Files.isDirectory(directory)) {
      return "the advisory folder " + directory + " does not exist";
    }
    try {
      importer.importDirectory(directory);
      return null;
    } catch (RuntimeException e) {
      LOG.warnf(e, "import of %s failed", directory);
      return "the import of " + directory + " failed: " + e.getMessage();
    }
  }

  private void markFailed(String reason) {
    LOG.warnf("advisory database FAILED: %s; scans end ERROR until an import succeeds", reason);
    try {
      advisories.markFailed(reason).await().atMost(MARK_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.warnf("cannot record the failed import: %s", e.toString());
    }
  }

  /** Waits until the start-up import was tried once (at once when there is none). */
  public void await() throws InterruptedException {
    firstAttempt.await();
  }
}
