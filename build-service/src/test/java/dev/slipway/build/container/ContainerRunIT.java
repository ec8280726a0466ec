package dev.slipway.build.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container started detached with its output on a FIFO: its exit code is the container's whatever
 * the order in which its output ends, podman's client returns and podman's clean-up runs; its
 * output arrives whole even when written long after podman returned; a container that cannot start,
 * outlives its deadline or closes its output early is told apart; and a removed one is gone.
 */
class ContainerRunIT {

  private static final Podman PODMAN = new Podman("podman", "auto");

  @TempDir Path dir;
  private String image;
  private final List<String> started = new ArrayList<>();

  @BeforeEach
  void toolchain() {
    image = PODMAN.inspect("slipway/toolchain:bookworm").orElseThrow().id();
  }

  @AfterEach
  void removeContainers() {
    PODMAN.remove(started);
  }

  @Test
  void outputWrittenAfterPodmanReturnedArrivesWholeWithTheExitCode() throws Exception {
    Output output = new Output();
    ContainerRun run = start("echo one; sleep 1; echo two >&2; exit 3", output);

    assertThat(run.awaitExit(Instant.now().plusSeconds(30))).hasValue(3);
    run.awaitOutput(Duration.ofSeconds(5));
    assertThat(output.text()).isEqualTo("one\ntwo\n");
  }

  @Test
  void aContainerThatClosesItsOutputIsWaitedForUntilItEnds() throws Exception {
    long start = System.nanoTime();
    ContainerRun run = start("exec >&- 2>&-; sleep 2; exit 4", new Output());

    assertThat(run.awaitExit(Instant.now().plusSeconds(30))).hasValue(4);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(2));
  }

  @Test
  void theCodeComesFromPodmanWhenItsCleanUpTookTheExitFileFirst() throws Exception {
    ContainerRun run = start("exit 5", new Output());
    // Long enough for conmon's exit command (podman container cleanup) to read and delete the
    // exit file, which it does within a second here.
    Thread.sleep(3000);

    assertThat(run.awaitExit(Instant.now().plusSeconds(30))).hasValue(5);
  }

  @Test
  void aContainerPastItsDeadlineIsStillRunningThenEndsKilled() throws Exception {
    String name = name();
    ContainerRun run = start(name, "sleep 60", new Output());

    assertThat(run.awaitExit(Instant.now().plusSeconds(2))).isEmpty();
    // sh as PID 1 ignores SIGTERM: SIGKILL after the grace.
    PODMAN.stop(name, Duration.ofMillis(500));
    assertThat(run.awaitExit(Instant.now().plusSeconds(30))).hasValue(137);
  }

  @Test
  void aContainerThatCannotStartAnswersPodmansCodeAndReason() throws Exception {
    Output output = new Output();
    String name = name();
    ContainerSpec spec = spec(name, "sha256:" + "0".repeat(64), "true");
    ContainerRun run = PODMAN.start(spec, dir, output);

    assertThat(run.awaitExit(Instant.now().plusSeconds(30))).hasValue(125);
    run.awaitOutput(Duration.ofSeconds(5));
    assertThat(output.text()).contains("Error");
  }

  @Test
  void aRemovedContainerIsGoneAndItsRunLeavesNoFile() throws Exception {
    String name = name();
    ContainerRun run = start(name, "true", new Output());
    OptionalInt code = run.awaitExit(Instant.now().plusSeconds(30));
    run.awaitOutput(Duration.ofSeconds(5));
    assertThat(code).hasValue(0);
    assertThat(PODMAN.exists(name)).isTrue();

    run.discard();
    PODMAN.remove(List.of(name));

    assertThat(PODMAN.exists(name)).isFalse();
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void leftOversOlderThanTheAgeAreRemovedRunningAndYoungerOnesAndOtherProgramsAreNot()
      throws Exception {
    String exited = name();
    ContainerRun first = start(exited, "true", new Output());
    assertThat(first.awaitExit(Instant.now().plusSeconds(30))).hasValue(0);
    String running = name();
    start(running, "sleep 60", new Output());
    String foreign = "other-program-" + UUID.randomUUID().toString().substring(0, 8);
    Podman.Result made = PODMAN.exec(List.of("create", "--name", foreign, image, "true"), Map.of());
    assertThat(made.exit()).as(made.output()).isZero();
    try {
      Thread.sleep(2500);
      String younger = name();
      ContainerRun last = start(younger, "true", new Output());
      assertThat(last.awaitExit(Instant.now().plusSeconds(30))).hasValue(0);

      PODMAN.removeLeftovers(Duration.ofSeconds(2));

      assertThat(PODMAN.exists(exited)).as("stopped, created 2.5 s ago").isFalse();
      assertThat(PODMAN.exists(running)).as("still running").isTrue();
      assertThat(PODMAN.exists(younger)).as("stopped, created just now").isTrue();
      assertThat(PODMAN.exists(foreign)).as("not this service's").isTrue();
    } finally {
      PODMAN.remove(List.of(foreign));
      PODMAN.stop(running, Duration.ZERO);
    }
  }

  private ContainerRun start(String script, Output output) throws IOException {
    return start(name(), script, output);
  }

  private ContainerRun start(String name, String script, Output output) throws IOException {
    return PODMAN.start(spec(name, image, script), dir, output);
  }

  private String name() {
    String name = "slipway-test-run-" + UUID.randomUUID().toString().substring(0, 8);
    started.add(name);
    return name;
  }

  private static ContainerSpec spec(String name, String image, String script) {
    return new ContainerSpec(
        name,
        image,
        List.of("/bin/sh", "-c", script),
        "1000:1000",
        "/",
        List.of(),
        Map.of(),
        List.of(),
        null,
        true,
        new ContainerSpec.Limits("256m", 64, null));
  }

  /** A container's output as read to its end. */
  private static final class Output implements Podman.OutputReader {
    private final StringBuffer text = new StringBuffer();

    @Override
    public void read(java.io.InputStream in) throws IOException {
      text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    String text() {
      return text.toString();
    }
  }
}
