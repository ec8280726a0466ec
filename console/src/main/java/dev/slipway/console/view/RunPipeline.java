package dev.slipway.console.view;

import dev.slipway.console.client.ApiModel.Approval;
import dev.slipway.console.client.ApiModel.Build;
import dev.slipway.console.client.ApiModel.Environment;
import dev.slipway.console.client.ApiModel.Rollout;
import dev.slipway.console.client.ApiModel.Scan;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A run as the stages it goes through (build, scan, then each environment of its chain), each with
 * where it stands, when it started, how long it took and where its detail is. Composed from what
 * build-, scan- and deploy-service say about the run; a stage no service knows of is "not reached".
 */
public final class RunPipeline {

  private RunPipeline() {}

  /**
   * One stage of a run.
   *
   * @param name build, scan or the environment's name
   * @param status where it stands (a service's status, or WAITING, REJECTED, NOT_REACHED)
   * @param startedAt when it started, if it did
   * @param duration how long it took, if it ended
   * @param link the page of its detail, if there is one
   * @param detail one line about it
   */
  public record Stage(
      String name,
      String status,
      OffsetDateTime startedAt,
      String duration,
      String link,
      String detail) {}

  /** The stages of a run. */
  public static List<Stage> of(
      List<Environment> chain,
      Optional<Build> build,
      Optional<Scan> scan,
      List<Rollout> rollouts,
      List<Approval> approvals) {
    List<Stage> stages = new ArrayList<>();
    stages.add(build.map(RunPipeline::buildStage).orElse(notReached("build")));
    stages.add(scan.map(RunPipeline::scanStage).orElse(notReached("scan")));
    for (Environment environment : chain) {
      Optional<Rollout> rollout =
          rollouts.stream()
              .filter(r -> environment.name().equals(r.environment()))
              .max(
                  Comparator.comparing(
                      Rollout::requestedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
      Optional<Approval> approval =
          approvals.stream()
              .filter(a -> environment.name().equals(a.environment()))
              .max(
                  Comparator.comparing(
                      Approval::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
      if (rollout.isPresent()) {
        stages.add(rolloutStage(environment.name(), rollout.get(), approval));
      } else if (approval.isPresent()) {
        stages.add(approvalStage(environment.name(), approval.get()));
      } else {
        stages.add(notReached(environment.name()));
      }
    }
    return stages;
  }

  /** Whether any stage is still moving (a page then refreshes itself). */
  public static boolean live(List<Stage> stages) {
    return stages.stream()
        .anyMatch(
            s ->
                switch (s.status() == null ? "" : s.status()) {
                  case "QUEUED", "RUNNING", "PENDING", "SCANNING" -> true;
                  default -> false;
                });
  }

  static Stage buildStage(Build build) {
    String detail;
    if (build.failure() != null) {
      detail = "failed at " + build.failure().step() + ": " + build.failure().reason();
    } else if (build.tests() != null) {
      detail =
          "tests "
              + build.tests().passed()
              + " passed, "
              + build.tests().failed()
              + " failed"
              + (build.tests().skipped() > 0 ? ", " + build.tests().skipped() + " skipped" : "");
    } else {
      detail = build.attempt() > 1 ? "attempt " + build.attempt() : "";
    }
    return new Stage(
        "build",
        build.status(),
        build.startedAt() != null ? build.startedAt() : build.queuedAt(),
        Formats.ms(build.durationMs()),
        "/builds/" + build.id(),
        detail);
  }

  static Stage scanStage(Scan scan) {
    String detail = scan.reason() == null ? "" : scan.reason();
    if (!scan.counts().isEmpty()) {
      StringBuilder counts = new StringBuilder();
      for (String severity : List.of("CRITICAL", "HIGH", "MEDIUM", "LOW")) {
        counts
            .append(counts.length() == 0 ? "" : ", ")
            .append(severity.toLowerCase(Locale.ROOT))
            .append(' ')
            .append(scan.counts().getOrDefault(severity, 0));
      }
      detail = counts.toString();
    }
    return new Stage(
        "scan",
        scan.status(),
        scan.requestedAt(),
        Formats.between(scan.requestedAt(), scan.finishedAt()),
        "/scans/" + scan.scanId(),
        detail);
  }

  static Stage rolloutStage(String environment, Rollout rollout, Optional<Approval> approval) {
    String detail = rollout.outcome() != null ? rollout.outcome() : "";
    if (!rollout.finished()) {
      detail =
          words(rollout.phase())
              + (rollout.strategy() == null ? "" : " (" + words(rollout.strategy()) + ")");
    }
    String approvedBy =
        approval
            .filter(a -> "APPROVED".equals(a.status()))
            .map(
                a ->
                    "approved by "
                        + String.join(", ", a.approvals().stream().map(v -> v.approver()).toList())
                        + "; ")
            .orElse("");
    return new Stage(
        environment,
        rollout.status(),
        rollout.startedAt() != null ? rollout.startedAt() : rollout.requestedAt(),
        Formats.between(rollout.startedAt(), rollout.finishedAt()),
        "/rollouts/" + rollout.id(),
        approvedBy + detail);
  }

  static Stage approvalStage(String environment, Approval approval) {
    return switch (approval.status()) {
      case "PENDING" ->
          new Stage(
              environment,
              "WAITING",
              approval.createdAt(),
              "",
              "/approvals#approval-" + approval.id(),
              "waits for approval ("
                  + approval.approvals().size()
                  + " of "
                  + approval.required()
                  + ")");
      case "REJECTED" ->
          new Stage(
              environment,
              "REJECTED",
              approval.createdAt(),
              "",
              "/approvals#approval-" + approval.id(),
              "rejected by " + approval.decidedBy() + ": " + approval.reason());
      default ->
          new Stage(
              environment,
              approval.status(),
              approval.createdAt(),
              "",
              "/approvals#approval-" + approval.id(),
              approval.reason() == null ? "" : approval.reason());
    };
  }

  private static Stage notReached(String name) {
    return new Stage(name, "NOT_REACHED", null, "", null, "");
  }

  private static String words(String text) {
    return Formats.words(text);
  }
}
