package dev.slipway.audit.service;

import dev.slipway.audit.service.DoraMetrics.ChangeFailureRate;
import dev.slipway.audit.service.DoraMetrics.DeploymentFrequency;
import dev.slipway.audit.service.DoraMetrics.Durations;
import dev.slipway.audit.service.DoraMetrics.Restores;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Computes the DORA metrics from deploy outcomes and commit times, as the README defines them. */
public final class DoraCalculator {

  private static final double SECONDS_PER_DAY = 86_400.0;

  private DoraCalculator() {}

  /**
   * One deploy.done event.
   *
   * @param application the application deployed
   * @param deploy what groups the deploy.done events of one deploy: the deploy.requested that
   *     caused them (their causation id), else the event's own id
   * @param status SUCCEEDED, FAILED or ROLLED_BACK
   * @param time event time
   * @param commitSha the commit deployed
   */
  public record DeployDoneEvent(
      String application, String deploy, String status, OffsetDateTime time, String commitSha) {}

  /** One deploy with its outcome: failed when any of its deploy.done says FAILED or ROLLED_BACK. */
  record Deploy(String application, OffsetDateTime time, boolean failed, String commitSha) {}

  /**
   * The metrics over [{@code from}, {@code to}).
   *
   * @param events deploy.done events from {@code from} on (later ones close incidents), in time
   *     order
   * @param committedAt first commit.received time per application and commit, keyed by {@link
   *     #commitKey}
   */
  public static DoraMetrics compute(
      String application,
      String environment,
      OffsetDateTime from,
      OffsetDateTime to,
      List<DeployDoneEvent> events,
      Map<String, OffsetDateTime> committedAt) {
    List<Deploy> deploys = deploys(events);
    List<Deploy> inWindow =
        deploys.stream().filter(d -> !d.time().isBefore(from) && d.time().isBefore(to)).toList();
    long succeeded = inWindow.stream().filter(d -> !d.failed()).count();
    long failed = inWindow.size() - succeeded;
    double days = Duration.between(from, to).toMillis() / 1000.0 / SECONDS_PER_DAY;

    Map<String, OffsetDateTime> firstDeployOfChange = new LinkedHashMap<>();
    for (Deploy d : inWindow) {
      if (!d.failed() && d.commitSha() != null) {
        firstDeployOfChange.merge(
            commitKey(d.application(), d.commitSha()), d.time(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    List<Double> leadTimes = new ArrayList<>();
    firstDeployOfChange.forEach(
        (change, deployedAt) -> {
          OffsetDateTime committed = committedAt.get(change);
          if (committed != null) {
            leadTimes.add(seconds(committed, deployedAt));
          }
        });

    List<Double> restores = new ArrayList<>();
    Map<String, OffsetDateTime> openSince = new HashMap<>();
    for (Deploy d : deploys) {
      OffsetDateTime since = openSince.get(d.application());
      if (d.failed()) {
        if (since == null && !d.time().isBefore(from) && d.time().isBefore(to)) {
          openSince.put(d.application(), d.time());
        }
      } else if (since != null) {
        restores.add(seconds(since, d.time()));
        openSince.remove(d.application());
      }
    }

    return new DoraMetrics(
        application,
        environment,
        from,
        to,
        new DeploymentFrequency(succeeded, days > 0 ? succeeded / days : 0),
        new Durations(leadTimes.size(), percentile(leadTimes, 0.5), percentile(leadTimes, 0.9)),
        new ChangeFailureRate(
            inWindow.size(), failed, inWindow.isEmpty() ? null : (double) failed / inWindow.size()),
        new Restores(
            restores.size(),
            openSince.size(),
            percentile(restores, 0.5),
            percentile(restores, 0.9)));
  }

  /** The key of {@code committedAt}. */
  public static String commitKey(String application, String commitSha) {
    return application + '\u0000' + commitSha;
  }

  /**
   * The {@code p}-quantile with linear interpolation between closest ranks (PostgreSQL's {@code
   * percentile_cont}); null for no values.
   */
  static Double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> sorted = values.stream().sorted().toList();
    double position = p * (sorted.size() - 1);
    int lower = (int) Math.floor(position);
    int upper = (int) Math.ceil(position);
    return sorted.get(lower) + (sorted.get(upper) - sorted.get(lower)) * (position - lower);
  }

  private static List<Deploy> deploys(List<DeployDoneEvent> events) {
    Map<String, List<DeployDoneEvent>> byDeploy = new LinkedHashMap<>();
    for (DeployDoneEvent e : events) {
      byDeploy
          .computeIfAbsent(e.application() + '\u0000' + e.deploy(), k -> new ArrayList<>())
          .add(e);
    }
    List<Deploy> deploys = new ArrayList<>();
    for (List<DeployDoneEvent> group : byDeploy.values()) {
      boolean failed =
          group.stream()
              .anyMatch(e -> "FAILED".equals(e.status()) || "ROLLED_BACK".equals(e.status()));
      boolean succeeded = group.stream().anyMatch(e -> "SUCCEEDED".equals(e.status()));
      if (!failed && !succeeded) {
        continue;
      }
      DeployDoneEvent first = group.get(0);
      OffsetDateTime time =
          failed
              ? group.stream()
                  .filter(e -> !"SUCCEEDED".equals(e.status()))
                  .map(DeployDoneEvent::time)
                  .min(Comparator.naturalOrder())
                  .orElseThrow()
              : first.time();
      String commit =
          group.stream()
              .map(DeployDoneEvent::commitSha)
              .filter(c -> c != null)
              .findFirst()
              .orElse(null);
      deploys.add(new Deploy(first.application(), time, failed, commit));
    }
    deploys.sort(Comparator.comparing(Deploy::time));
    return deploys;
  }

  private static double seconds(OffsetDateTime start, OffsetDateTime end) {
    return Duration.between(start, end).toMillis() / 1000.0;
  }
}
