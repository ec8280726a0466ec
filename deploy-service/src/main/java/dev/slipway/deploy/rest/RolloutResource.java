package dev.slipway.deploy.rest;

import dev.slipway.deploy.Rollout;
import dev.slipway.deploy.problem.NotFoundException;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.deploy.repository.RolloutRepository;
import dev.slipway.deploy.service.RolloutControlService;
import dev.slipway.problem.PageLimit;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;

/** Rollouts and their progress; a deployer of the rollout's scope steers a running one. */
@Path("/api/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
public class RolloutResource {

  private final RolloutRepository rollouts;
  private final RolloutControlService control;
  private final Access access;

  public RolloutResource(RolloutRepository rollouts, RolloutControlService control, Access access) {
    this.rollouts = rollouts;
    this.control = control;
    this.access = access;
  }

  @POST
  @Path("/{id}/pause")
  @RolesAllowed("deployer")
  public Uni<Response> pause(@PathParam("id") String id) {
    return command(id, RolloutObjectsRepository.Command.PAUSE);
  }

  @POST
  @Path("/{id}/resume")
  @RolesAllowed("deployer")
  public Uni<Response> resume(@PathParam("id") String id) {
    return command(id, RolloutObjectsRepository.Command.RESUME);
  }

  @POST
  @Path("/{id}/promote")
  @RolesAllowed("deployer")
  public Uni<Response> promote(@PathParam("id") String id) {
    return command(id, RolloutObjectsRepository.Command.PROMOTE);
  }

  @POST
  @Path("/{id}/abort")
  @RolesAllowed("deployer")
  public Uni<Response> abort(@PathParam("id") String id) {
    return command(id, RolloutObjectsRepository.Command.ABORT);
  }

  /** Steers a rollout of an application and environment the caller deploys to. */
  private Uni<Response> command(String id, RolloutObjectsRepository.Command command) {
    return rollouts
        .find(id)
        .map(
            found ->
                found.orElseThrow(() -> new NotFoundException("rollout " + id + " does not exist")))
        .invoke(
            rollout ->
                access.require(
                    Set.of(Roles.DEPLOYER), rollout.application(), rollout.environment()))
        .flatMap(rollout -> control.command(id, command, Callers.of(access.actor())))
        .map(accepted -> Response.accepted(accepted).build());
  }

  @GET
  public Uni<List<Rollout>> recent(
      @QueryParam("application") String application,
      @QueryParam("environment") String environment,
      @QueryParam("limit") String limit) {
    int max = PageLimit.parse(limit);
    return rollouts.recent(
        access.listScope(Roles.READ, application).orElse(null), environment, max);
  }

  @GET
  @Path("/{id}")
  public Uni<RolloutDetail> one(@PathParam("id") String id) {
    return rollouts
        .find(id)
        .map(
            found ->
                found.orElseThrow(() -> new NotFoundException("rollout " + id + " does not exist")))
        .invoke(rollout -> access.require(Roles.READ, rollout.application(), rollout.environment()))
        .flatMap(rollout -> rollouts.log(id).map(log -> new RolloutDetail(rollout, log)));
  }

  /**
   * A rollout and what it went through.
   *
   * @param rollout the rollout
   * @param log its steps, oldest first
   */
  public record RolloutDetail(Rollout rollout, List<RolloutRepository.LogEntry> log) {}
}
