package dev.slipway.scan.service;

import dev.slipway.scan.config.ScanConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Imports the configured advisory folder once at start, in the background so the service is up at
 * once; scan workers wait for it, so no build is judged against a database still being filled.
 */
@ApplicationScoped
public class StartupImport {

  private static final Logger LOG = Logger.getLogger(StartupImport.class);

  private final AdvisoryImporter importer;
  private final ScanConfig config;
  private final CountDownLatch done = new CountDownLatch(1);

  public StartupImport(AdvisoryImporter importer, ScanConfig config) {
    this.importer = importer;
    this.config = config;
  }

  void start(@Observes StartupEvent startup) {
    if (config.advisories().directory().isEmpty()) {
      done.countDown();
      return;
    }
    Path directory = config.advisories().directory().get();
    Executors.newSingleThreadExecutor(r -> new Thread(r, "advisory-import"))
        .submit(() -> run(directory));
  }

  private void run(Path directory) {
    try {
      if (!Files.isDirectory(directory)) {
        LOG.warnf("advisory folder %s does not exist; nothing imported at start", directory);
        return;
      }
      for (int attempt = 1; ; attempt++) {
        try {
          importer.importDirectory(directory);
          return;
        } catch (RuntimeException e) {
          LOG.warnf("import of %s failed (attempt %d), retrying: %s", directory, attempt, e);
          Thread.sleep(Math.min(30_000, 1_000L * attempt));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      done.countDown();
    }
  }

  /** Waits until the start-up import finished (at once when there is none). */
  public void await() throws InterruptedException {
    done.await();
  }
}
