package dev.slipway.build.stage;

import dev.slipway.build.BuildStatus;
import dev.slipway.build.executor.StepEnvironment;
import dev.slipway.build.executor.StepExecutor;
import dev.slipway.build.executor.StepListener;
import dev.slipway.build.executor.StepsRequest;
import dev.slipway.build.executor.StepsResult;
import dev.slipway.build.report.TestReports;
import dev.slipway.build.repository.BuildQueue;
import dev.slipway.build.workspace.RepositoryPaths;
import dev.slipway.events.BuildDone.TestCounts;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs {@code .slipway.yaml}'s steps on the executor (each in a container of the toolchain image),
 * records each step's status and time as it goes, then counts the JUnit reports they wrote.
 */
@ApplicationScoped
public class StepsStage implements Stage {

  private final StepExecutor executor;
  private final BuildQueue builds;
  private final TestReports reports = new TestReports();

  public StepsStage(StepExecutor executor, BuildQueue builds) {
    this.executor = executor;
    this.builds = builds;
  }

  @Override
  public String name() {
    return "steps";
  }

  @Override
  public boolean timed() {
    return false;
  }

  @Override
  public void run(BuildContext build) {
    Map<String, String> env = new LinkedHashMap<>(StepEnvironment.platform(build.claim()));
    env.putAll(build.spec().env());
    StepsRequest request =
        new StepsRequest(
            build.buildId(),
            build.application(),
            build.workspace(),
            build.directory(),
            build.spec().toolchain(),
            build.spec().steps(),
            env,
            build.secretEnv(),
            build.deadline(),
            build.spec().lines());
    StepsResult result = executor.run(request, build.log(), listener(build), build.cancellation());
    build.toolchain(result.toolchain());
    TestCounts tests;
    try {
      tests = reports.count(build.paths(), build.spec().reports());
    } catch (RepositoryPaths.UnsafePathException e) {
      if (result.outcome() == StepsResult.Outcome.SUCCEEDED) {
        throw StageFailure.failed("reports", e.getMessage());
      }
      build.log().info("==> reports not read: " + e.getMessage());
      tests = TestCounts.NONE;
    }
    build.tests(tests);
    if (tests.passed() + tests.failed() + tests.skipped() > 0) {
      build
          .log()
          .info(
              "==> tests: "
                  + tests.passed()
                  + " passed, "
                  + tests.failed()
                  + " failed, "
                  + tests.skipped()
                  + " skipped");
    }
    switch (result.outcome()) {
      case FAILED ->
          throw new StageFailure(
              BuildStatus.FAILED, result.step(), result.exitCode(), result.reason());
      case TIMED_OUT ->
          throw new StageFailure(BuildStatus.TIMED_OUT, result.step(), null, result.reason());
      case CANCELLED ->
          throw new StageFailure(BuildStatus.CANCELLED, result.step(), null, result.reason());
      default -> {}
    }
  }

  private StepListener listener(BuildContext build) {
    return new StepListener() {
      @Override
      public void started(int position, String name) {
        build
            .phases()
            .time(
                "steps.record",
                () ->
                    builds
                        .stepStarted(build.buildId(), position, name)
                        .await()
                        .atMost(Duration.ofSeconds(30)));
      }

      @Override
      public void finished(
          int position, String name, StepStatus status, Integer exitCode, long durationMs) {
        build.took(name, durationMs);
        build.phases().took("steps.run", durationMs);
        build
            .phases()
            .time(
                "steps.record",
                () ->
                    builds
                        .stepFinished(
                            build.buildId(), position, status.name(), exitCode, durationMs)
                        .await()
                        .atMost(Duration.ofSeconds(30)));
      }

      @Override
      public void took(String phase, long ms) {
        build.phases().took(phase, ms);
      }
    };
  }
}
