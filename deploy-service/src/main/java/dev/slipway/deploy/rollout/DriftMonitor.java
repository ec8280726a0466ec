package dev.slipway.deploy.rollout;

import dev.slipway.deploy.config.DeployConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Looks for drift between rollouts: every {@code slipway.deploy.drift.interval} each environment's
 * last successful revision is compared with the cluster ({@link DriftDetector}), the number of
 * drifted objects is the gauge {@code slipway.drift.objects{application,environment}}, and an
 * environment with {@code selfHeal} gets its drifted objects applied again, logged.
 */
@ApplicationScoped
public class DriftMonitor {

  private static final Logger LOG = Logger.getLogger(DriftMonitor.class);

  private final DriftDetector drift;
  private final MeterRegistry metrics;
  private final DeployConfig config;
  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
  private ScheduledExecutorService timer;

  DriftMonitor(DriftDetector drift, MeterRegistry metrics, DeployConfig config) {
    this.drift = drift;
    this.metrics = metrics;
    this.config = config;
  }

  void start(@Observes StartupEvent event) {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "drift-monitor");
              thread.setDaemon(true);
              return thread;
            });
    long every = config.drift().interval().toMillis();
    timer.scheduleWithFixedDelay(this::checkAll, every, every, TimeUnit.MILLISECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void checkAll() {
    try {
      for (Map.Entry<String, String> environment : drift.environments()) {
        check(environment.getKey(), environment.getValue());
      }
    } catch (RuntimeException e) {
      LOG.warnf("drift check failed: %s", e.getMessage());
    }
  }

  private void check(String application, String environment) {
    try {
      drift
          .check(application, environment, true)
          .ifPresent(
              report -> {
                gauge(application, environment).set(report.drifted());
                if (!report.healed().isEmpty()) {
                  LOG.infof(
                      "%s in %s drifted from revision %d; self-heal applied again: %s",
                      application,
                      environment,
                      report.revision(),
                      String.join(", ", report.healed()));
                } else if (!report.inSync()) {
                  LOG.infof(
                      "%s in %s drifted from revision %d: %d objects",
                      application, environment, report.revision(), report.drifted());
                }
              });
    } catch (RuntimeException e) {
      LOG.debugf("drift of %s in %s not checked: %s", application, environment, e.getMessage());
    }
  }

  private AtomicLong gauge(String application, String environment) {
    return gauges.computeIfAbsent(
        application + "/" + environment,
        key -> {
          AtomicLong value = new AtomicLong();
          Gauge.builder("slipway.drift.objects", value, AtomicLong::get)
              .description("objects that differ from the environment's last successful revision")
              .tag("application", application)
              .tag("environment", environment)
              .register(metrics);
          return value;
        });
  }
}
