package dev.slipway.launcher.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.URIish;

/**
 * The demo application's Git repository, made on the fly: a bare repository under the state folder
 * (build-service clones it by {@code file://}) and a working copy the demo commits to and pushes
 * from, as a developer would.
 */
public final class DemoRepository {

  /** Where the demo application's files are kept in the launcher. */
  private static final String APP = "/demo-app/";

  private static final String[] FILES = {
    "Dockerfile",
    ".slipway.yaml",
    "package.json",
    "package-lock.json",
    "test.sh",
    "site/index.html",
    "site/healthz",
    "deploy/shop.yaml",
    "deploy/legacy.yaml"
  };

  private final Path bare;
  private final Path work;

  private DemoRepository(Path bare, Path work) {
    this.bare = bare;
    this.work = work;
  }

  /**
   * A fresh repository for {@code application}: {@code gitRoot/<application>.git}, with its working
   * copy under {@code workRoot}. An earlier one of the same name is replaced.
   */
  public static DemoRepository create(Path gitRoot, Path workRoot, String application) {
    Path bare = gitRoot.resolve(application + ".git").toAbsolutePath();
    Path work = workRoot.resolve(application).toAbsolutePath();
    try {
      delete(bare);
      delete(work);
      Files.createDirectories(bare);
      Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
      try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
        git.remoteAdd().setName("origin").setUri(new URIish(bare.toUri().toString())).call();
      }
      return new DemoRepository(bare, work);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException | java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot make the demo repository: " + e.getMessage(), e);
    }
  }

  /** The {@code file://} URL build-service clones. */
  public String cloneUrl() {
    return "file://" + bare;
  }

  /**
   * Writes the files of {@code change} over the working copy, commits them as {@code author} and
   * pushes to the bare repository; returns the commit's SHA.
   */
  public String commitAndPush(DemoChange change, PersonIdent author) {
    try (Git git = Git.open(work.toFile())) {
      for (String file : FILES) {
        String content = change.contentOf(file, resource(file));
        if (content == null) {
          Files.deleteIfExists(work.resolve(file));
        } else {
          write(file, content);
        }
      }
      copyBusybox();
      git.add().addFilepattern(".").call();
      // Files a change removes are removed from the commit too.
      git.add().setUpdate(true).addFilepattern(".").call();
      RevCommit commit =
          git.commit()
              .setMessage(change.message())
              .setAuthor(author)
              .setCommitter(author)
              .setSign(false)
              .call();
      git.push().setRemote("origin").add("main").call();
      return commit.getName();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new IllegalStateException("cannot commit to the demo repository: " + e.getMessage(), e);
    }
  }

  private void write(String file, String content) throws IOException {
    Path target = work.resolve(file);
    Files.createDirectories(target.getParent());
    Files.writeString(target, content);
    if (file.endsWith(".sh")) {
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /**
   * The shop's server is busybox's httpd; a statically linked busybox runs on an empty base image.
   * It is copied from this machine (Debian's busybox-static), not kept in the repository.
   */
  private void copyBusybox() throws IOException {
    Path busybox = Path.of(System.getProperty("slipway.demo.busybox", "/bin/busybox"));
    if (!Files.isRegularFile(busybox)) {
      throw new IllegalStateException(
          busybox + " is missing: install Debian's busybox-static (./slipway up does)");
    }
    Files.copy(busybox, work.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static String resource(String file) throws IOException {
    try (InputStream in = DemoRepository.class.getResourceAsStream(APP + file)) {
      if (in == null) {
        throw new IllegalStateException("the launcher lacks " + APP + file);
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
