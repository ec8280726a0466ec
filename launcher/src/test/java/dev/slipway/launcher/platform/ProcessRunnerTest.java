package dev.slipway.launcher.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {

  @TempDir Path state;

  private ProcessRunner processes;

  private ProcessRunner processes() {
    if (processes == null) {
      processes = new ProcessRunner(new PlatformLayout(state, state));
    }
    return processes;
  }

  @AfterEach
  void stopLeftovers() {
    processes().known("").forEach(name -> processes().kill(name));
  }

  @Test
  void aStartedProcessIsFoundAgainByALaterLauncherAndKilledAtOnce() {
    ProcessHandle started = processes().start("sleeper", List.of("sleep", "60"), Map.of());

    ProcessRunner later = new ProcessRunner(new PlatformLayout(state, state));
    assertThat(later.running("sleeper")).map(ProcessHandle::pid).contains(started.pid());
    assertThat(later.kill("sleeper")).isTrue();

    assertThat(started.isAlive()).isFalse();
    assertThat(later.running("sleeper")).isEmpty();
    assertThat(state.resolve("run/sleeper.pid")).doesNotExist();
    assertThat(later.kill("sleeper")).as("nothing left to kill").isFalse();
  }

  @Test
  void aProcessIgnoringSigtermIsKilledAfterTheGrace() {
    processes()
        .start("stubborn", List.of("sh", "-c", "trap '' TERM; echo deaf; exec sleep 60"), Map.of());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.readString(processes().log("stubborn")).contains("deaf"));

    assertThat(processes().stop("stubborn", Duration.ofMillis(500)))
        .isEqualTo(ProcessRunner.Stopped.KILLED);
    assertThat(processes().running("stubborn")).isEmpty();
  }

  @Test
  void theInstancesOfAServiceAreFoundByPrefixWithoutTheServiceItself() {
    processes().start("build-service", List.of("sleep", "60"), Map.of());
    processes().start("build-service.2", List.of("sleep", "60"), Map.of());
    processes().start("build-service-x", List.of("sleep", "60"), Map.of());

    // close() stops the service, then each of these: listing the service too stopped it twice.
    assertThat(processes().known("build-service.")).containsExactly("build-service.2");
    assertThat(processes().known("build-service"))
        .containsExactly("build-service", "build-service-x", "build-service.2");
  }

  @Test
  void aProcessThatStopsOnSigtermIsStoppedGracefully() {
    processes().start("polite", List.of("sleep", "60"), Map.of());

    assertThat(processes().stop("polite", Duration.ofSeconds(10)))
        .isEqualTo(ProcessRunner.Stopped.STOPPED);
    assertThat(processes().stop("polite", Duration.ofSeconds(10)))
        .isEqualTo(ProcessRunner.Stopped.NOT_RUNNING);
  }

  @Test
  void aPidFileWhosePidNowBelongsToAnotherProcessIsNotMistakenForIt() throws Exception {
    // This JVM stands for an unrelated process that was given the recorded pid later.
    long unrelated = ProcessHandle.current().pid();
    Files.createDirectories(state.resolve("run"));
    Files.writeString(state.resolve("run/gone.pid"), unrelated + "\n" + 1_000 + "\n");

    assertThat(processes().running("gone")).isEmpty();
    assertThat(processes().kill("gone")).isFalse();
    assertThat(ProcessHandle.current().isAlive()).isTrue();
  }

  @Test
  void outputGoesToTheLogAndTheEnvironmentIsTheOneGiven() throws Exception {
    int exit =
        processes()
            .runToEnd(
                "once",
                List.of("sh", "-c", "echo \"port=$QUARKUS_HTTP_PORT\""),
                Map.of("QUARKUS_HTTP_PORT", "8089"),
                Duration.ofSeconds(10));

    assertThat(exit).isZero();
    assertThat(Files.readString(processes().log("once"))).isEqualTo("port=8089\n");
  }

  @Test
  void aProcessRunsInItsOwnSessionSoATerminalsSignalsMissIt() throws Exception {
    ProcessHandle started = processes().start("detached", List.of("sleep", "60"), Map.of());
    Optional<String> session =
        Optional.of(Files.readString(Path.of("/proc", started.pid() + "", "stat")))
            .map(stat -> stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);

    assertThat(session).contains(String.valueOf(started.pid()));
  }
}
