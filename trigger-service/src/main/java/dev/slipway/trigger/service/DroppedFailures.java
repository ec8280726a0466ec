package dev.slipway.trigger.service;

import dev.slipway.problem.ProblemException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * What is logged of a failure that arrives after its caller went away (a client that hung up while
 * its webhook was being checked): Mutiny's default logs every such failure at ERROR, so a flood of
 * forged webhooks whose senders disconnect would write an ERROR line each. A refusal meant for the
 * caller (a 4xx problem) is logged at DEBUG; anything else stays an ERROR with its stack trace.
 */
@ApplicationScoped
public class DroppedFailures {

  private final Logger log;

  public DroppedFailures() {
    this(Logger.getLogger(DroppedFailures.class));
  }

  DroppedFailures(Logger log) {
    this.log = log;
  }

  void install(@Observes StartupEvent starting) {
    Infrastructure.setDroppedExceptionHandler(this::handle);
  }

  void handle(Throwable failure) {
    if (failure instanceof ProblemException problem && problem.status() < 500) {
      log.debugf(
          "a %d answer nobody waited for any more: %s", problem.status(), problem.getMessage());
    } else {
      log.errorf(failure, "a failure after its caller went away");
    }
  }
}
