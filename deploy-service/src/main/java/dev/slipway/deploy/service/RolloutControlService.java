package dev.slipway.deploy.service;

import dev.slipway.deploy.problem.ConflictException;
import dev.slipway.deploy.problem.NotFoundException;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.deploy.repository.RolloutObjectsRepository.Command;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * An operator's hand on a rollout in flight, as on an Argo Rollouts rollout: pause a canary where
 * it is, resume it, promote it (skip the remaining steps and their analysis), or abort it (it rolls
 * back, or removes what it created when nothing served before). The command is recorded on the
 * rollout; the worker that holds it carries it out at its next turn and logs it.
 */
@ApplicationScoped
public class RolloutControlService {

  private static final Logger LOG = Logger.getLogger(RolloutControlService.class);

  private final RolloutObjectsRepository objects;

  public RolloutControlService(RolloutObjectsRepository objects) {
    this.objects = objects;
  }

  /**
   * Records {@code command} for rollout {@code id}.
   *
   * @throws NotFoundException when the rollout does not exist
   * @throws ConflictException when the command does not apply to it now
   */
  public Uni<Accepted> command(String id, Command command, Caller caller) {
    return objects
        .command(id, command, caller.name())
        .map(
            found -> {
              RolloutObjectsRepository.Commanded state =
                  found.orElseThrow(
                      () -> new NotFoundException("rollout " + id + " does not exist"));
              if (!state.recorded()) {
                throw new ConflictException(refusal(command, state));
              }
              LOG.infof(
                  "%s asked to %s rollout %s (%s, phase %s)",
                  caller.name(), verb(command), id, state.status(), state.phase());
              return new Accepted(id, verb(command), state.status(), state.phase());
            });
  }

  private static String refusal(Command command, RolloutObjectsRepository.Commanded state) {
    if (!"QUEUED".equals(state.status()) && !"RUNNING".equals(state.status())) {
      return "rollout is finished (%s); nothing to %s".formatted(state.status(), verb(command));
    }
    return switch (command) {
      case PAUSE ->
          state.paused()
              ? "rollout is paused already"
              : "only a canary step can be paused; the rollout is in phase " + state.phase();
      case RESUME -> "rollout is not paused";
      case PROMOTE -> "only a canary can be promoted; the rollout is in phase " + state.phase();
      case ABORT ->
          "rollout is already " + state.phase().toLowerCase(Locale.ROOT).replace('_', ' ');
    };
  }

  private static String verb(Command command) {
    return command.name().toLowerCase(Locale.ROOT);
  }

  /**
   * A recorded command.
   *
   * @param rolloutId the rollout
   * @param command what was asked
   * @param status its status when asked
   * @param phase its phase when asked
   */
  public record Accepted(String rolloutId, String command, String status, String phase) {}
}
