package dev.slipway.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoRepositoryTest {

  @TempDir static Path dir;

  @Test
  void theThreeCommitsLandInTheBareRepositoryWithTheirOneChangeEach() throws Exception {
    DemoRepository repository =
        DemoRepository.create(dir.resolve("git"), dir.resolve("work"), "demo-shop");
    PersonIdent ada = new PersonIdent("Ada Lovelace", "ada@example.com");

    String clean = repository.commitAndPush(DemoChange.CLEAN, ada);
    String vulnerable = repository.commitAndPush(DemoChange.VULNERABLE, ada);
    String neverReady = repository.commitAndPush(DemoChange.NEVER_READY, ada);

    assertThat(repository.cloneUrl()).startsWith("file:///").endsWith("demo-shop.git");
    try (Git bare = Git.open(dir.resolve("git/demo-shop.git").toFile())) {
      Repository repo = bare.getRepository();
      assertThat(repo.resolve("refs/heads/main").getName()).isEqualTo(neverReady);
      assertThat(file(repo, clean, "package-lock.json")).doesNotContain("minimist");
      assertThat(file(repo, vulnerable, "package-lock.json"))
          .contains("\"node_modules/minimist\"", "\"version\": \"1.2.5\"");
      assertThat(file(repo, vulnerable, "package.json")).contains("\"minimist\": \"1.2.5\"");
      assertThat(file(repo, neverReady, "package-lock.json")).doesNotContain("minimist");
      assertThat(file(repo, neverReady, "Dockerfile"))
          .contains("dev.slipway.sandbox.behaviour=\"never-ready\"", "\"-p\", \"9090\"");
      assertThat(file(repo, clean, "Dockerfile")).doesNotContain("never-ready");
      // The image's Debian base is committed with the shop, its dpkg records with it.
      assertThat(file(repo, clean, "rootfs/var/lib/dpkg/status.d/expat"))
          .contains("Package: expat\n");
      assertThat(file(repo, neverReady, "rootfs/usr/lib/os-release")).contains("VERSION_ID=\"12\"");
      assertThat(file(repo, clean, "Dockerfile")).contains("COPY rootfs/ /");
    }
  }

  private static String file(Repository repo, String commit, String path) throws Exception {
    try (RevWalk walk = new RevWalk(repo);
        TreeWalk tree =
            TreeWalk.forPath(repo, path, walk.parseCommit(ObjectId.fromString(commit)).getTree())) {
      assertThat(tree).as(path + " in " + commit).isNotNull();
      return new String(repo.open(tree.getObjectId(0)).getBytes());
    }
  }
}
