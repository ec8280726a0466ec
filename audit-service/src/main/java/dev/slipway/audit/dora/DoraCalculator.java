package dev.slipway.audit.dora;

import dev.slipway.audit.dora.DoraMetrics.ChangeFailureRate;
import dev.slipway.audit.dora.DoraMetrics.DeploymentFrequency;
import dev.slipway.audit.dora.DoraMetrics.Durations;
import dev.slipway.audit.dora.DoraMetrics.Restores;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes the four DORA metrics as dora.dev and Four Keys define them, from the rollouts of one
 * environment and the pushes that led to them; the rules are in the service README and, case by
 * case, in {@code DoraCalculatorTest}.
 */
public final class DoraCalculator {

  private static final double SECONDS_PER_DAY = 86_400.0;
  private static final String ROLLBACK = "ROLLBACK";

  private DoraCalculator() {}

  /** How a rollout ended (deploy.done status). */
  public enum Outcome {
    /** The new version serves. */
    SUCCEEDED,
    /** It never served traffic. */
    FAILED,
    /** It served traffic, failed its checks and the previous version was restored. */
    ROLLED_BACK
  }

  /**
   * One rollout: a deploy.done.
   *
   * @param application the application
   * @param outcome how it ended
   * @param requestReason why it was requested (deploy.requested reason); null when unknown
   * @param time when it ended
   * @param durationMs how long it ran; null when unknown
   * @param commitSha the commit deployed
   */
  public record Rollout(
      String application,
      Outcome outcome,
      String requestReason,
      OffsetDateTime time,
      Long durationMs,
      String commitSha) {

    boolean remediation() {
      return ROLLBACK.equals(requestReason);
    }
  }

  /**
   * The first push of a commit to a ref (its first commit.received).
   *
   * @param application the application
   * @param ref the Git ref pushed
   * @param commitSha the head commit of the push
   * @param time when it was received
   */
  public record Push(String application, String ref, String commitSha, OffsetDateTime time) {}

  /** A change deployment: a rollout of a new version that served traffic. */
  private static final class Deployment {
    final Rollout rollout;
    boolean failed;

    Deployment(Rollout rollout) {
      this.rollout = rollout;
    }
  }

  /** A failure in production, from the failed deployment to the rollout that restored service. */
  private record Incident(Deployment cause, OffsetDateTime start) {}

  /**
   * The metrics over [{@code from}, {@code to}).
   *
   * @param rollouts rollouts of the environment from {@code from} on (later ones remediate and
   *     restore), in time order
   * @param pushes first pushes of the applications' commits, from before the window on
   * @param deployedBefore {@link #commitKey}s of commits with a successful change deployment to the
   *     environment before {@code from}
   */
  public static DoraMetrics compute(
      String application,
      String environment,
      OffsetDateTime from,
      OffsetDateTime to,
      List<Rollout> rollouts,
      List<Push> pushes,
      Set<String> deployedBefore) {
    Map<String, Push> firstPush = new HashMap<>();
    Map<String, List<Push>> pushesOfRef = new HashMap<>();
    for (Push p : pushes) {
      firstPush.merge(
          commitKey(p.application(), p.commitSha()),
          p,
          (a, b) -> a.time().isAfter(b.time()) ? b : a);
      pushesOfRef.computeIfAbsent(refKey(p.application(), p.ref()), k -> new ArrayList<>()).add(p);
    }
    pushesOfRef.values().forEach(list -> list.sort(Comparator.comparing(Push::time)));
    // What was delivered before the window: every push of a ref up to the latest deployed one.
    Map<String, OffsetDateTime> deliveredUpTo = new HashMap<>();
    for (String deployed : deployedBefore) {
      Push p = firstPush.get(deployed);
      if (p != null) {
        deliveredUpTo.merge(refKey(p.application(), p.ref()), p.time(), DoraCalculator::later);
      }
    }
    Set<String> delivered = new HashSet<>(deployedBefore);

    List<Deployment> inWindow = new ArrayList<>();
    List<Double> leadTimes = new ArrayList<>();
    List<Double> restores = new ArrayList<>();
    long open = 0;
    Map<String, Deployment> current = new HashMap<>();
    Map<String, Incident> incidents = new HashMap<>();
    for (Rollout r : rollouts) {
      String app = r.application();
      boolean windowed = within(r.time(), from, to);
      if (r.remediation()) {
        // A rollback was asked for: the change serving now needed remediation.
        Deployment cause = current.get(app);
        if (cause != null && !cause.failed) {
          cause.failed = true;
          incidents.putIfAbsent(app, new Incident(cause, cause.rollout.time()));
        }
        if (r.outcome() == Outcome.SUCCEEDED) {
          restore(incidents.remove(app), r.time(), from, to, restores);
          current.remove(app);
        }
        continue;
      }
      switch (r.outcome()) {
        case FAILED -> {
          // Never served traffic: not a deployment, not a failure in production.
        }
        case ROLLED_BACK -> {
          Deployment d = new Deployment(r);
          d.failed = true;
          if (windowed) {
            inWindow.add(d);
          }
          OffsetDateTime start =
              r.durationMs() == null ? r.time() : r.time().minusNanos(r.durationMs() * 1_000_000);
          restore(new Incident(d, start), r.time(), from, to, restores);
        }
        case SUCCEEDED -> {
          Deployment d = new Deployment(r);
          if (windowed) {
            inWindow.add(d);
            deliver(r, firstPush, pushesOfRef, deliveredUpTo, delivered, leadTimes);
          }
          // A fix forward restores service too.
          restore(incidents.remove(app), r.time(), from, to, restores);
          current.put(app, d);
        }
      }
    }
    for (Incident incident : incidents.values()) {
      if (within(incident.cause().rollout.time(), from, to)) {
        open++;
      }
    }

    long succeeded =
        inWindow.stream().filter(d -> d.rollout.outcome() == Outcome.SUCCEEDED).count();
    long failed = inWindow.stream().filter(d -> d.failed).count();
    double days = Duration.between(from, to).toMillis() / 1000.0 / SECONDS_PER_DAY;
    return new DoraMetrics(
        application,
        environment,
        from,
        to,
        new DeploymentFrequency(succeeded, days > 0 ? succeeded / days : 0),
        new Durations(leadTimes.size(), percentile(leadTimes, 0.5), percentile(leadTimes, 0.9)),
        new ChangeFailureRate(
            inWindow.size(), failed, inWindow.isEmpty() ? null : (double) failed / inWindow.size()),
        new Restores(restores.size(), open, percentile(restores, 0.5), percentile(restores, 0.9)));
  }

  /**
   * Lead times of what a successful deployment of commit X delivers: X's push and every earlier
   * push of the same ref not delivered yet (commit.received names only a push's head commit, so a
   * push is the unit of change), each measured from its push to this deployment. A commit already
   * delivered, before or in the window, counts once: a redeploy of an old commit delivers nothing.
   */
  private static void deliver(
      Rollout r,
      Map<String, Push> firstPush,
      Map<String, List<Push>> pushesOfRef,
      Map<String, OffsetDateTime> deliveredUpTo,
      Set<String> delivered,
      List<Double> leadTimes) {
    Push head = firstPush.get(commitKey(r.application(), r.commitSha()));
    if (head == null) {
      return;
    }
    String ref = refKey(head.application(), head.ref());
    OffsetDateTime upTo = deliveredUpTo.get(ref);
    for (Push p : pushesOfRef.getOrDefault(ref, List.of())) {
      if (p.time().isAfter(head.time())) {
        break;
      }
      String commit = commitKey(p.application(), p.commitSha());
      if ((upTo != null && !p.time().isAfter(upTo)) || !delivered.add(commit)) {
        continue;
      }
      leadTimes.add(seconds(p.time(), r.time()));
    }
    deliveredUpTo.merge(ref, head.time(), DoraCalculator::later);
  }

  private static void restore(
      Incident incident,
      OffsetDateTime restoredAt,
      OffsetDateTime from,
      OffsetDateTime to,
      List<Double> restores) {
    if (incident != null && within(incident.cause().rollout.time(), from, to)) {
      restores.add(seconds(incident.start(), restoredAt));
    }
  }

  /** The key of a commit of an application. */
  public static String commitKey(String application, String commitSha) {
    return application + '\u0000' + commitSha;
  }

  private static String refKey(String application, String ref) {
    return application + '\u0000' + ref;
  }

  private static boolean within(OffsetDateTime time, OffsetDateTime from, OffsetDateTime to) {
    return !time.isBefore(from) && time.isBefore(to);
  }

  private static OffsetDateTime later(OffsetDateTime a, OffsetDateTime b) {
    return a.isAfter(b) ? a : b;
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

  private static double seconds(OffsetDateTime start, OffsetDateTime end) {
    return Duration.between(start, end).toMillis() / 1000.0;
  }
}
