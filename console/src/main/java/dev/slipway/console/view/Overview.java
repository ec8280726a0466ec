package dev.slipway.console.view;

import dev.slipway.console.client.ApiModel;
import dev.slipway.console.client.ApiModel.Application;
import dev.slipway.console.client.ApiModel.Approval;
import dev.slipway.console.client.ApiModel.Build;
import dev.slipway.console.client.ApiModel.Release;
import java.util.List;
import java.util.Optional;

/** The applications page's model: each application's environments, last runs and approvals. */
public final class Overview {

  private Overview() {}

  /**
   * One application.
   *
   * @param application its registry entry
   * @param environments its chain, each with what runs there
   * @param runs its latest runs, newest first
   * @param approvals its open approvals
   */
  public record AppCard(
      Application application,
      List<EnvironmentCard> environments,
      List<RunRow> runs,
      List<Approval> approvals) {}

  /**
   * One environment of an application.
   *
   * @param name the environment
   * @param promotion how a run enters it (auto, manual)
   * @param current the release serving now: the newest that succeeded
   * @param latest the newest release, when it is not the current one (rolled back, failed, running)
   * @param health healthy, progressing, degraded, failed or empty
   * @param healthDetail why
   * @param drift the cluster compared with the current release, when deploy-service reports it
   */
  public record EnvironmentCard(
      String name,
      String promotion,
      Release current,
      Release latest,
      String health,
      String healthDetail,
      ApiModel.Drift drift) {

    /** This card with {@code drift}. */
    public EnvironmentCard withDrift(ApiModel.Drift drift) {
      return new EnvironmentCard(name, promotion, current, latest, health, healthDetail, drift);
    }

    /** The card of {@code environment} given its releases, newest first. */
    public static EnvironmentCard of(String name, String promotion, List<Release> releases) {
      Optional<Release> current =
          releases.stream().filter(r -> "SUCCEEDED".equals(r.status())).findFirst();
      Release newest = releases.isEmpty() ? null : releases.get(0);
      Release latest =
          newest != null && current.map(c -> c.revision() != newest.revision()).orElse(true)
              ? newest
              : null;
      String health;
      String detail;
      if (newest == null) {
        health = "EMPTY";
        detail = "nothing deployed yet";
      } else if ("RUNNING".equals(newest.status()) || "QUEUED".equals(newest.status())) {
        health = "PROGRESSING";
        detail = "revision " + newest.revision() + " is rolling out";
      } else if ("SUCCEEDED".equals(newest.status())) {
        health = "HEALTHY";
        detail = "revision " + newest.revision() + " serves";
      } else if (current.isPresent()) {
        health = "DEGRADED";
        detail =
            "revision "
                + newest.revision()
                + " "
                + Formats.words(newest.status())
                + "; revision "
                + current.get().revision()
                + " serves";
      } else {
        health = "FAILED";
        detail = "revision " + newest.revision() + " " + Formats.words(newest.status());
      }
      return new EnvironmentCard(
          name, promotion, current.orElse(null), latest, health, detail, null);
    }
  }

  /**
   * One run, as its latest build attempt shows it.
   *
   * @param runId the run
   * @param build its latest build attempt
   */
  public record RunRow(String runId, Build build) {}
}
