package dev.slipway.build.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import dev.slipway.build.executor.Cancellation;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.spec.BuildSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code files} builder: Jib core puts the named files on a base image from the registry (or on
 * scratch) with an entrypoint, working directory and port, and pushes it as an OCI image without a
 * daemon; Jib builds and pushes in one pass, so its whole time counts as the image stage.
 */
public final class JibFilesBuilder {

  private final String registry;
  private final boolean insecure;
  private final Optional<Credential> credential;
  private final Path layersCache;

  public JibFilesBuilder(
      String registry, boolean insecure, Optional<Credential> credential, Path layersCache) {
    this.registry = registry;
    this.insecure = insecure;
    this.credential = credential;
    this.layersCache = layersCache;
  }

  /**
   * Builds {@code image} from {@code files} (real paths inside the checkout, checked by the caller)
   * and pushes it as {@code reference}.
   */
  public PushedImage build(
      List<Path> files,
      BuildSpec.Image image,
      String reference,
      BuildLog log,
      Cancellation cancellation) {
    long start = System.nanoTime();
    ExecutorService executor = Executors.newCachedThreadPool();
    try (AutoCloseable stop = cancellation.onCancel(executor::shutdownNow)) {
      AbsoluteUnixPath workdir = AbsoluteUnixPath.get(image.workdir());
      JibContainerBuilder container =
          image.base() == null
              ? Jib.fromScratch()
              : Jib.from(withCredential(RegistryImage.named(registry + "/" + image.base())));
      container
          .setFormat(ImageFormat.OCI)
          .addLayer(files, workdir)
          .setWorkingDirectory(workdir)
          .setEntrypoint(image.entrypoint());
      if (image.port() != null) {
        container.setExposedPorts(Set.of(Port.tcp(image.port())));
      }
      log.info("==> image: files " + image.files() + " on " + baseName(image) + " (Jib)");
      Containerizer to =
          Containerizer.to(withCredential(RegistryImage.named(reference)))
              .setAllowInsecureRegistries(insecure)
              .setBaseImageLayersCache(layersCache.resolve("base"))
              .setApplicationLayersCache(layersCache.resolve("application"))
              .setExecutorService(executor)
              .setToolName("slipway")
              .addEventHandler(LogEvent.class, event -> logEvent(log, event));
      JibContainer result = container.containerize(to);
      long ms = (System.nanoTime() - start) / 1_000_000;
      return new PushedImage(reference, result.getDigest().toString(), ms, 0);
    } catch (InvalidImageReferenceException e) {
      throw new ImageException("image", null, "not an image reference: " + e.getMessage(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new ImageException("push", null, "Jib failed: " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageException("image", null, "interrupted", e);
    } catch (ImageException e) {
      throw e;
    } catch (Exception e) {
      if (cancellation.isCancelled()) {
        throw new ImageException("image", null, "cancelled by " + cancellation.requestedBy(), e);
      }
      throw new ImageException("image", null, "Jib failed: " + e.getMessage(), e);
    } finally {
      executor.shutdownNow();
    }
  }

  private RegistryImage withCredential(RegistryImage image) {
    credential.ifPresent(c -> image.addCredential(c.getUsername(), c.getPassword()));
    return image;
  }

  private static String baseName(BuildSpec.Image image) {
    return image.base() == null ? "scratch" : image.base();
  }

  private static void logEvent(BuildLog log, LogEvent event) {
    if (event.getLevel() == LogEvent.Level.ERROR
        || event.getLevel() == LogEvent.Level.WARN
        || event.getLevel() == LogEvent.Level.LIFECYCLE) {
      log.info("    " + event.getMessage());
    }
  }
}
