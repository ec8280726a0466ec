package dev.slipway.launcher.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.URIish;

/**
 * The demo application's Git repository, made on the fly: a bare repository under the state folder
 * (build-service clones it by {@code file://}) and a working copy the demo commits to and pushes
 * from, as a developer would. The working copy's {@code rootfs/} is the image's Debian base ({@link
 * DebianBase}), its packages kept under the work folder once downloaded.
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

  /** The folder of the work root that keeps the downloaded Debian packages between runs. */
  static final String PACKAGE_CACHE = "debian-packages";

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
      DebianBase.unpack(workRoot.resolve(PACKAGE_CACHE).toAbsolutePath(), work.resolve("rootfs"));
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

  private static String resource(String file) throws IOException {
    try (InputStream in = DemoRepository.class.getResourceAsStream(APP + file)) {
      if (in == null) {
        throw new IllegalStateException("the launcher lacks " + APP + file);
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static void delete(Path dir) throws IOException {
    DebianBase.delete(dir);
  }
}
