package dev.slipway.launcher.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
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
  void theFirstRunOfABuildWithAnArchiveWritesTheArchiveOfTheWholeRun() throws Exception {
    Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "jar");
    Files.writeString(app.resolve("app-cds.jsa"), "archive");

    assertThat(new JvmOptions(List.of("-Xmx384m"), Map.of()).of(PlatformService.AUDIT, jar))
        .containsExactly(
            "-XX:ArchiveClassesAtExit=" + app.resolve("app-cds-run.jsa").toAbsolutePath(),
            "-Xlog:cds*=error",
            "-Xmx384m");
  }

  @Test
  void laterRunsOfTheSameBuildStartWithIt() throws Exception {
    Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "jar");
    Path built = Files.writeString(app.resolve("app-cds.jsa"), "archive");
    Path run = Files.writeString(app.resolve("app-cds-run.jsa"), "run archive");
    age(jar, 60);
    age(built, 60);

    assertThat(new JvmOptions(List.of("-Xmx384m"), Map.of()).of(PlatformService.AUDIT, jar))
        .containsExactly("-XX:SharedArchiveFile=" + run.toAbsolutePath(), "-Xmx384m");
  }

  @Test
  void theArchiveOfAnEarlierBuildIsWrittenAnew() throws Exception {
    Path run = Files.writeString(app.resolve("app-cds-run.jsa"), "run archive of the last build");
    age(run, 60);
    Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "jar");
    Files.writeString(app.resolve("app-cds.jsa"), "archive");

    assertThat(new JvmOptions(List.of(), Map.of()).of(PlatformService.AUDIT, jar))
        .containsExactly("-XX:ArchiveClassesAtExit=" + run.toAbsolutePath(), "-Xlog:cds*=error");
  }

  @Test
  void aSecondInstanceNeverWritesTheRunArchiveAndUsesItOnceWritten() throws Exception {
    Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "jar");
    Path built = Files.writeString(app.resolve("app-cds.jsa"), "archive");
    JvmOptions options = new JvmOptions(List.of("-Xmx384m"), Map.of());

    // Two instances of one service stopping together must not write the same file at exit.
    assertThat(options.ofReplica(PlatformService.BUILD, jar))
        .containsExactly("-XX:SharedArchiveFile=" + built.toAbsolutePath(), "-Xmx384m");

    Path run = Files.writeString(app.resolve("app-cds-run.jsa"), "run archive");
    age(jar, 60);
    age(built, 60);
    assertThat(options.ofReplica(PlatformService.BUILD, jar))
        .containsExactly("-XX:SharedArchiveFile=" + run.toAbsolutePath(), "-Xmx384m");
  }

  @Test
  void withoutTheBuildsArchiveNoneIsUsedNorWritten() throws Exception {
    Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "jar");

    assertThat(new JvmOptions(List.of("-Xmx384m"), Map.of()).of(PlatformService.AUDIT, jar))
        .containsExactly("-Xmx384m");
  }

  @Test
  void everyJvmGetsFewMallocArenasAndAServiceItsOwnSettingsOnTop() {
    assertThat(ProcessRunner.withJvmEnvironment(Map.of("QUARKUS_HTTP_PORT", "8081")))
        .containsEntry("MALLOC_ARENA_MAX", "2")
        .containsEntry("QUARKUS_HTTP_PORT", "8081");
    assertThat(ProcessRunner.withJvmEnvironment(Map.of("MALLOC_ARENA_MAX", "4")))
        .containsEntry("MALLOC_ARENA_MAX", "4");
  }

  private static void age(Path file, int seconds) throws Exception {
    Files.setLastModifiedTime(
        file, FileTime.from(Instant.now().minus(Duration.ofSeconds(seconds))));
  }
}
