package dev.slipway.build.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.build.GitFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submodules are cloned at the commit the superproject records (not the branch tip), through the
 * same URL policy as the repository; a commit that keeps files in Git LFS fails the clone saying
 * that LFS is not configured.
 */
class SubmodulesAndLfsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final CloneUrlPolicy policy = new CloneUrlPolicy(List.of(GitFixture.ROOT), false);
  private final SourceFetcher fetcher = new SourceFetcher(Optional.empty());
  private final List<String> log = new ArrayList<>();

  @TempDir Path dir;

  @Test
  void submoduleIsClonedAtTheCommitTheSuperprojectRecords() throws Exception {
    GitFixture.Repo library = GitFixture.create(Map.of("VERSION", "1.0\n"));
    GitFixture.Repo app = GitFixture.create(Map.of("README.md", "app\n"));
    GitFixture.Repo withSubmodule = addSubmodule(app, "lib", relativeUrl(app, library));
    // The library moves on after the superproject recorded its commit.
    library.commit(Map.of("VERSION", "2.0\n"));
    Path workspace = dir.resolve("src");

    SourceFetcher.Fetched fetched =
        fetcher.fetch(
            policy.check(withSubmodule.url()),
            withSubmodule.commit(),
            Optional.empty(),
            workspace,
            TIMEOUT,
            policy::check,
            log::add);

    assertThat(fetched.submodules()).isEqualTo(1);
    assertThat(workspace.resolve("lib/VERSION")).hasContent("1.0");
    assertThat(log).anyMatch(l -> l.startsWith("==> submodule lib from file://"));
  }

  @Test
  void submoduleUrlOutsideThePolicyIsRefused() throws Exception {
    GitFixture.Repo library = GitFixture.create(Map.of("VERSION", "1.0\n"));
    GitFixture.Repo app = GitFixture.create(Map.of("README.md", "app\n"));
    GitFixture.Repo withSubmodule = addSubmodule(app, "lib", library.url());
    Files.writeString(
        withSubmodule.dir().resolve(".gitmodules"),
        "[submodule \"lib\"]\n\tpath = lib\n\turl = ext::sh -c touch% /tmp/pwned-by-submodule\n");
    GitFixture.Repo hostile = withSubmodule.commit(Map.of());

    assertThatThrownBy(
            () ->
                fetcher.fetch(
                    policy.check(hostile.url()),
                    hostile.commit(),
                    Optional.empty(),
                    dir.resolve("src"),
                    TIMEOUT,
                    policy::check,
                    log::add))
        .isInstanceOf(SourceException.class)
        .hasMessageStartingWith(
            "submodule lib: repository URL refused: scheme 'ext' is not allowed");
    assertThat(Path.of("/tmp/pwned-by-submodule")).doesNotExist();
  }

  @Test
  void commitKeepingFilesInLfsFailsSayingLfsIsNotConfigured() throws Exception {
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".gitattributes",
                "*.psd filter=lfs diff=lfs merge=lfs -text\n",
                "design/logo.psd",
                "version https://git-lfs.github.com/spec/v1\n"
                    + "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                    + "size 12345\n"));

    assertThatThrownBy(
            () ->
                fetcher.fetch(
                    policy.check(repo.url()),
                    repo.commit(),
                    Optional.empty(),
                    dir.resolve("src"),
                    TIMEOUT,
                    policy::check,
                    log::add))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("keeps 1 file(s) in Git LFS (design/logo.psd)")
        .hasMessageContaining("Git LFS is not configured on this build-service");
  }

  @Test
  void relativeSubmoduleUrlsResolveAgainstTheSuperprojects() {
    assertThat(Submodules.resolve("https://git.example.com/acme/app.git", "../lib.git"))
        .isEqualTo("https://git.example.com/acme/lib.git");
    assertThat(Submodules.resolve("git@git.example.com:acme/app.git", "../lib.git"))
        .isEqualTo("git@git.example.com:acme/lib.git");
    assertThat(Submodules.resolve("file:///srv/git/app/", "./vendor"))
        .isEqualTo("file:///srv/git/app/vendor");
    assertThat(Submodules.resolve("https://x/app.git", "https://other/lib.git"))
        .isEqualTo("https://other/lib.git");
  }

  private static String relativeUrl(GitFixture.Repo app, GitFixture.Repo library) {
    return "../" + library.dir().getFileName();
  }

  /** Adds {@code url} as a submodule at {@code path}, committed (gitlink and .gitmodules). */
  private static GitFixture.Repo addSubmodule(GitFixture.Repo app, String path, String url)
      throws Exception {
    try (Git git = Git.open(app.dir().toFile())) {
      String absolute =
          url.startsWith("../")
              ? app.dir().getParent().resolve(url.substring(3)).toUri().toString()
              : url;
      git.submoduleAdd().setPath(path).setURI(absolute).call().close();
      if (url.startsWith("../")) {
        Files.writeString(
            app.dir().resolve(".gitmodules"),
            "[submodule \"" + path + "\"]\n\tpath = " + path + "\n\turl = " + url + "\n");
      }
      git.add().addFilepattern(".gitmodules").addFilepattern(path).call();
      PersonIdent who = new PersonIdent("Ada Lovelace", "ada@example.com");
      var commit = git.commit().setMessage("add " + path).setAuthor(who).setCommitter(who).call();
      return new GitFixture.Repo(app.url(), commit.getName(), app.dir());
    }
  }
}
