package dev.slipway.launcher.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmOptionsTest {

  @TempDir Path app;

  @Test
  void commonOptionsThenTheServicesOwn() {
    JvmOptions options =
        new JvmOptions(
            List.of("-Xmx384m"),
            Map.of(PlatformService.BUILD, List.of("-XX:ActiveProcessorCount=1")));

    assertThat(options.of(PlatformService.BUILD, app.resolve("quarkus-run.jar")))
        .containsExactly("-Xmx384m", "-XX:ActiveProcessorCount=1");
    assertThat(options.of(PlatformService.SCAN, app.resolve("quarkus-run.jar")))
        .containsExactly("-Xmx384m");
  }

  @Test
  void anAppCdsArchiveTheBuildMadeIsUsed() throws Exception {
    Files.writeString(app.resolve("app-cds.jsa"), "archive");

    assertThat(
            new JvmOptions(List.of("-Xmx384m"), Map.of())
                .of(PlatformService.AUDIT, app.resolve("quarkus-run.jar")))
        .containsExactly("-XX:SharedArchiveFile=" + app.resolve("app-cds.jsa"), "-Xmx384m");
  }
}
