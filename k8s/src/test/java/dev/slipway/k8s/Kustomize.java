package dev.slipway.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a kustomization with {@code kubectl kustomize}, as an SRE would before applying it. The
 * overlays use components and {@code labels}, so kubectl's kustomize must be v4 or later; Debian's
 * kubernetes-client (the only kubectl apt has) embeds v2, and there the checks are skipped with
 * that reason rather than failing on a machine that cannot render them.
 */
final class Kustomize {

  private static final Pattern VERSION = Pattern.compile("Kustomize Version: v(\\d+)\\.");
  private static String unavailable;
  private static boolean probed;

  private Kustomize() {}

  /** Why the overlays cannot be rendered here, or null when they can. */
  static synchronized String unavailableReason() {
    if (!probed) {
      probed = true;
      unavailable = probe();
    }
    return unavailable;
  }

  /** The YAML stream {@code kubectl kustomize dir} prints. */
  static String render(Path dir) {
    Result result = run(List.of("kubectl", "kustomize", dir.toString()));
    if (result.exitCode != 0) {
      throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + result.stderr);
    }
    return result.stdout;
  }

  private static String probe() {
    Result version;
    try {
      version = run(List.of("kubectl", "version", "--client"));
    } catch (UncheckedIOException e) {
      return "kubectl is not installed (./slipway test installs it)";
    }
    Matcher matcher = VERSION.matcher(version.stdout);
    if (version.exitCode != 0 || !matcher.find()) {
      return "kubectl has no kustomize: " + version.stdout.strip();
    }
    if (Integer.parseInt(matcher.group(1)) < 4) {
      return "kubectl's kustomize is v" + matcher.group(1) + ", the overlays need v4 or later";
    }
    return null;
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private static Result run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).start();
      process.getOutputStream().close();
      // Read both streams before waiting: a large rendering would fill the pipe otherwise.
      var stdout = process.getInputStream().readAllBytes();
      var stderr = process.getErrorStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
      }
      return new Result(
          process.exitValue(),
          new String(stdout, StandardCharsets.UTF_8),
          new String(stderr, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
