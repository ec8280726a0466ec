package dev.slipway.build.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.build.workspace.RepositoryPaths.Field;
import dev.slipway.build.workspace.RepositoryPaths.UnsafePathException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Committed links that point out of the checkout, as an attacker would commit them. */
class RepositoryPathsTest {

  @TempDir Path builds;
  private Path checkout;
  private Path otherApplication;
  private RepositoryPaths paths;

  @BeforeEach
  void checkout() throws Exception {
    checkout = Files.createDirectories(builds.resolve("build-1/src"));
    otherApplication = Files.createDirectories(builds.resolve("build-2/src"));
    Files.writeString(otherApplication.resolve("app.jar"), "someone else's jar");
    Files.createDirectories(checkout.resolve("target"));
    Files.writeString(checkout.resolve("target/app.jar"), "my jar");
    paths = new RepositoryPaths(checkout);
  }

  @Test
  void linkToEtcShadowIsRefusedNamingTheFieldAndItsLine() throws Exception {
    Files.createSymbolicLink(checkout.resolve("app.jar"), Path.of("/etc/shadow"));

    assertThatThrownBy(() -> paths.resolve("app.jar", new Field("image.files[0]", 12)))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage(
            ".slipway.yaml line 12: image.files[0] 'app.jar' is a link leaving the workspace"
                + " (app.jar -> /etc/shadow)");
  }

  /**
   * Issue 17's Kubernetes case: the build pod's service-account token named in {@code files}, which
   * a lexical check let through and Jib then read following the link (a dangling link here, as on
   * any host without that token: refused all the same, before anything opens it).
   */
  @Test
  void linkToTheServiceAccountTokenInFilesIsRefused() throws Exception {
    Files.createSymbolicLink(
        checkout.resolve("app.jar"),
        Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"));

    assertThatThrownBy(() -> paths.resolveTree("app.jar", new Field("image.files[0]", 8)))
        .isInstanceOf(UnsafePathException.class)
        .hasMessage(
            ".slipway.yaml line 8: image.files[0] 'app.jar' is a link leaving the workspace"
                + " (app.jar -> /var/run/secrets/kubernetes.io/serviceaccount/token)");
  }

  @Test
  void linkIntoAnotherApplicationsWorkspaceIsRefused() throws Exception {
    Files.createSymbolicLink(checkout.resolve("dist"), Path.of("../../build-2/src"));

    assertThatThrownBy(() -> paths.resolve("dist/app.jar", new Field("sbom", 9)))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("line 9: sbom 'dist/app.jar' is a link leaving the workspace")
        .hasMessageContaining("(dist -> ../../build-2/src)");
  }

  @Test
  void contextThatLinksToTheRootIsRefused() throws Exception {
    Files.createSymbolicLink(checkout.resolve("ctx"), Path.of("/"));

    assertThatThrownBy(() -> paths.resolveTree("ctx", new Field("image.context", 7)))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("image.context 'ctx' is a link leaving the workspace (ctx -> /)");
  }

  @Test
  void folderHoldingALinkOutIsRefusedWhole() throws Exception {
    Files.createDirectories(checkout.resolve("dist/lib"));
    Files.createSymbolicLink(checkout.resolve("dist/lib/token"), Path.of("/var/run/secrets/token"));

    assertThatThrownBy(() -> paths.resolveTree("dist", new Field("image.files[1]", 4)))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("dist/lib/token -> /var/run/secrets/token");
  }

  @Test
  void danglingLinkOutIsRefusedToo() throws Exception {
    Files.createSymbolicLink(checkout.resolve("later"), Path.of("/nonexistent/secret"));

    assertThatThrownBy(() -> paths.resolve("later", new Field("sbom", 3)))
        .isInstanceOf(UnsafePathException.class);
  }

  @Test
  void linksThatStayInsideAreFollowed() throws Exception {
    Files.createSymbolicLink(checkout.resolve("out"), Path.of("target"));
    Files.createDirectories(checkout.resolve("dist"));
    Files.createSymbolicLink(checkout.resolve("dist/app.jar"), Path.of("../target/app.jar"));

    assertThat(paths.resolve("out/app.jar", new Field("image.files[0]", 1)))
        .isEqualTo(checkout.toRealPath().resolve("target/app.jar"));
    assertThat(paths.resolveTree("dist", new Field("image.files[0]", 1)))
        .isEqualTo(checkout.toRealPath().resolve("dist"));
  }

  @Test
  void absolutePathsAndClimbingAreRefused() {
    assertThatThrownBy(() -> paths.resolve("/etc/passwd", new Field("sbom", 2)))
        .hasMessageContaining("is absolute");
    assertThatThrownBy(() -> paths.resolve("a/../../x", new Field("sbom", 2)))
        .hasMessageContaining("climbs with '..'");
  }
}
