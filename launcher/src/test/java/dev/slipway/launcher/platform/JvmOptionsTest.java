package dev.slipway.launcher.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    Path run = runArchive(app.resolve("app-cds-run.jsa"));
    age(jar, 60);
    age(built, 60);

    assertThat(new JvmOptions(List.of("-Xmx384m"), Map.of()).of(PlatformService.AUDIT, jar))
        .containsExactly(
            "-XX:SharedArchiveFile=" + run.toAbsolutePath(),
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:ArchiveRelocationMode=0",
            "-Xmx384m");
  }

  @Test
  void anArchiveAJvmWasKilledWhileWritingIsWrittenAnew() throws Exception {
    Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "jar");
    Path built = Files.writeString(app.resolve("app-cds.jsa"), "archive");
    // What a JVM killed while writing leaves: the regions written, the header (written last) not.
    Path run = Files.write(app.resolve("app-cds-run.jsa"), new byte[64 * 1024]);
    age(jar, 60);
    age(built, 60);

    assertThat(new JvmOptions(List.of(), Map.of()).of(PlatformService.AUDIT, jar))
        .containsExactly("-XX:ArchiveClassesAtExit=" + run.toAbsolutePath(), "-Xlog:cds*=error");
  }

  @Test
  void theHeaderOfAnArchiveThisJdkWroteIsRecognised() throws Exception {
    Path archive = app.resolve("whole.jsa");
    Process java =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + archive,
                "-Xlog:cds*=error",
                "-version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    // The JVM writes the archive of the classes it loaded as it exits.
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(JvmOptions.complete(archive)).isTrue();
    byte[] bytes = Files.readAllBytes(archive);
    System.arraycopy(new byte[Integer.BYTES], 0, bytes, 0, Integer.BYTES);
    assertThat(JvmOptions.complete(Files.write(archive, bytes))).isFalse();
    assertThat(JvmOptions.complete(Files.write(archive, new byte[2]))).isFalse();
    assertThat(JvmOptions.complete(app.resolve("missing.jsa"))).isFalse();
  }

  @Test
  void aJvmStartsWithTheRunArchiveMappedAtItsOwnAddress() throws Exception {
    Path archive = app.resolve("whole.jsa");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process writing =
        new ProcessBuilder(java, "-XX:ArchiveClassesAtExit=" + archive, "-version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(writing.waitFor(60, TimeUnit.SECONDS)).isTrue();

    List<String> command = new ArrayList<>(List.of(java, "-XX:SharedArchiveFile=" + archive));
    command.addAll(JvmOptions.ARCHIVE_AT_ITS_ADDRESS);
    command.addAll(List.of("-Xshare:on", "-Xlog:cds=info", "-version"));
    Process starting = new ProcessBuilder(command).redirectErrorStream(true).start();
    String log = new String(starting.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(starting.waitFor(60, TimeUnit.SECONDS)).isTrue();

    // -Xshare:on: the JVM refuses to start rather than run without the archive.
    assertThat(starting.exitValue()).as(log).isZero();
    assertThat(log).doesNotContain("always map archive(s) at an alternative address");
  }

  @Test
  void aJvmWritingTheRunArchiveIsToldFromItsCommandLine() throws Exception {
    Process writing =
        new ProcessBuilder("sh", "-c", "sleep 60", "-XX:ArchiveClassesAtExit=" + app.resolve("x"))
            .start();
    Process other = new ProcessBuilder("sleep", "60").start();
    try {
      assertThat(JvmOptions.writesRunArchive(writing.toHandle())).isTrue();
      assertThat(JvmOptions.writesRunArchive(other.toHandle())).isFalse();
    } finally {
      writing.destroyForcibly();
      other.destroyForcibly();
    }
  }

  @Test
  void theArchiveOfAnEarlierBuildIsWrittenAnew() throws Exception {
    Path run = runArchive(app.resolve("app-cds-run.jsa"));
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
        .containsExactly(
            "-XX:SharedArchiveFile=" + built.toAbsolutePath(),
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:ArchiveRelocationMode=0",
            "-Xmx384m");

    Path run = runArchive(app.resolve("app-cds-run.jsa"));
    age(jar, 60);
    age(built, 60);
    assertThat(options.ofReplica(PlatformService.BUILD, jar))
        .containsExactly(
            "-XX:SharedArchiveFile=" + run.toAbsolutePath(),
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:ArchiveRelocationMode=0",
            "-Xmx384m");
  }

  @Test
  void withoutTheBuildsArchiveNoneIsUsedNorWritten() throws Exception {
    Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "jar");

    assertThat(new JvmOptions(List.of("-Xmx384m"), Map.of()).of(PlatformService.AUDIT, jar))
        .containsExactly("-Xmx384m");
  }

  @Test
  void upOnALaptopCompilesWithC1OnlyTheBenchmarksKeepTheDefault() throws Exception {
    Path jar = Files.writeString(app.resolve("quarkus-run.jar"), "jar");
    JvmOptions laptop = JvmOptions.withDefaults(JvmOptions.LAPTOP_JIT, null);
    JvmOptions server = JvmOptions.withDefaults(List.of(), "");

    assertThat(laptop.of(PlatformService.DEPLOY, jar))
        .contains("-Xmx384m", "-XX:TieredStopAtLevel=1");
    assertThat(laptop.sandbox())
        .containsAll(JvmOptions.atRest())
        .contains("-XX:TieredStopAtLevel=1");
    assertThat(server.of(PlatformService.DEPLOY, jar))
        .contains("-Xmx384m")
        .noneMatch(option -> option.startsWith("-XX:TieredStopAtLevel"));
    assertThat(server.sandbox()).isEqualTo(JvmOptions.atRest());
    // SLIPWAY_SERVICE_JAVA_OPTIONS comes last, so it can bring C2 back.
    assertThat(JvmOptions.withDefaults(JvmOptions.LAPTOP_JIT, "-XX:TieredStopAtLevel=4").common())
        .endsWith("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4");
  }

  @Test
  void everyJvmGetsFewMallocArenasAndAServiceItsOwnSettingsOnTop() {
    assertThat(ProcessRunner.withJvmEnvironment(Map.of("QUARKUS_HTTP_PORT", "8081")))
        .containsEntry("MALLOC_ARENA_MAX", "2")
        .containsEntry("QUARKUS_HTTP_PORT", "8081");
    assertThat(ProcessRunner.withJvmEnvironment(Map.of("MALLOC_ARENA_MAX", "4")))
        .containsEntry("MALLOC_ARENA_MAX", "4");
  }

  /** A file that starts as a whole dynamic archive does (HotSpot's magic, native byte order). */
  private static Path runArchive(Path file) throws Exception {
    ByteBuffer head = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
    head.putInt(0xf00baba8);
    return Files.write(file, head.array());
  }

  private static void age(Path file, int seconds) throws Exception {
    Files.setLastModifiedTime(
        file, FileTime.from(Instant.now().minus(Duration.ofSeconds(seconds))));
  }
}
