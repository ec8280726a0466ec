package dev.slipway.build.image;

import dev.slipway.build.executor.Cancellation;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.spec.BuildSpec;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code dockerfile} builder: Buildah builds the Dockerfile without a daemon (vfs storage,
 * chroot isolation, so it runs as root here and in an unprivileged Job pod alike) and pushes it;
 * {@code --digestfile} gives the digest of the manifest exactly as pushed, which is what the
 * registry serves.
 */
public final class BuildahBuilder {

  private final String binary;
  private final Optional<Path> root;
  private final Optional<Path> runroot;
  private final boolean insecure;
  private final Optional<String> credentials;

  public BuildahBuilder(
      String binary,
      Optional<Path> root,
      Optional<Path> runroot,
      boolean insecure,
      Optional<String> credentials) {
    this.binary = binary;
    this.root = root;
    this.runroot = runroot;
    this.insecure = insecure;
    this.credentials = credentials;
  }

  /** Builds {@code image} from {@code workspace} and pushes it as {@code reference}. */
  public PushedImage build(
      Path workspace,
      BuildSpec.Image image,
      String reference,
      BuildLog log,
      Cancellation cancellation) {
    Path dockerfile = inside(workspace, image.dockerfile(), "image.dockerfile");
    Path context = inside(workspace, image.context(), "image.context");
    if (!Files.isRegularFile(dockerfile)) {
      throw new ImageException(
          "image", null, "no Dockerfile at " + image.dockerfile() + " in the workspace", null);
    }
    long start = System.nanoTime();
    List<String> bud = base();
    bud.addAll(List.of("bud", "--isolation", "chroot", "--tls-verify=" + !insecure));
    bud.addAll(List.of("-f", dockerfile.toString(), "-t", reference, context.toString()));
    run("image", bud, log, cancellation);
    long built = System.nanoTime();
    Path digestFile;
    try {
      digestFile = Files.createTempFile(workspace.getParent(), "digest", ".txt");
    } catch (IOException e) {
      throw new ImageException("push", null, "cannot write the digest file", e);
    }
    List<String> push = base();
    push.addAll(
        List.of("push", "--tls-verify=" + !insecure, "--digestfile", digestFile.toString()));
    credentials.ifPresent(creds -> push.addAll(List.of("--creds", creds)));
    push.addAll(List.of(reference, "docker://" + reference));
    try {
      run("push", push, log, cancellation);
      String digest = Files.readString(digestFile).strip();
      long pushed = System.nanoTime();
      removeLocal(reference);
      return new PushedImage(
          reference, digest, (built - start) / 1_000_000, (pushed - built) / 1_000_000);
    } catch (IOException e) {
      throw new ImageException("push", null, "cannot read the pushed digest", e);
    } finally {
      try {
        Files.deleteIfExists(digestFile);
      } catch (IOException e) {
        // a leftover temp file in a workspace that is deleted anyway
      }
    }
  }

  private List<String> base() {
    List<String> argv = new ArrayList<>(List.of(binary, "--storage-driver", "vfs"));
    root.ifPresent(r -> argv.addAll(List.of("--root", r.toString())));
    runroot.ifPresent(r -> argv.addAll(List.of("--runroot", r.toString())));
    return argv;
  }

  private void removeLocal(String reference) {
    List<String> rmi = base();
    rmi.addAll(List.of("rmi", "-f", reference));
    try {
      new ProcessBuilder(rmi)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(60, TimeUnit.SECONDS);
    } catch (IOException e) {
      // only local storage left behind; the next build's rmi or an operator cleans it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(
      String stage, List<String> argv, BuildLog log, Cancellation cancellation) {
    Process process;
    try {
      process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new ImageException(stage, null, "cannot run buildah: " + e.getMessage(), e);
    }
    try (AutoCloseable kill = cancellation.onCancel(process::destroyForcibly);
        Reader reader = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8);
        BuildLog.Stream out = log.stream()) {
      char[] buffer = new char[8192];
      int n;
      while ((n = reader.read(buffer)) >= 0) {
        out.write(CharBuffer.wrap(buffer, 0, n));
      }
      int exit = process.waitFor();
      if (cancellation.isCancelled()) {
        throw new ImageException(stage, null, "cancelled by " + cancellation.requestedBy(), null);
      }
      if (exit != 0) {
        throw new ImageException(
            stage, exit, "buildah " + argv.get(argv.indexOf(stageVerb(argv))) + " failed", null);
      }
    } catch (ImageException e) {
      throw e;
    } catch (Exception e) {
      process.destroyForcibly();
      throw new ImageException(stage, null, "buildah failed: " + e.getMessage(), e);
    }
  }

  private static String stageVerb(List<String> argv) {
    return argv.contains("bud") ? "bud" : "push";
  }

  private static Path inside(Path workspace, String relative, String field) {
    Path path = workspace.resolve(relative).normalize();
    if (!path.startsWith(workspace)) {
      throw new ImageException("image", null, field + " points outside the workspace", null);
    }
    return path;
  }
}
