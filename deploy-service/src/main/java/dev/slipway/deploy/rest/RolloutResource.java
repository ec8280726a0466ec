package dev.slipway.deploy.rest;

import dev.slipway.deploy.Rollout;
import dev.slipway.deploy.problem.NotFoundException;
import dev.slipway.deploy.repository.RolloutObjectsRepository;
import dev.slipway.deploy.repository.RolloutRepository;
import dev.slipway.deploy.service.RolloutControlService;
import dev.slipway.problem.PageLimit;
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
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Read access to rollouts and their progress. */
@Path("/api/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
public class RolloutResource {

  private final RolloutRepository rollouts;
  private final RolloutControlService control;
  private final JsonWebToken token;

  public RolloutResource(
      RolloutRepository rollouts, RolloutControlService control, JsonWebToken token) {
    this.rollouts = rollouts;
    this.control = control;
    this.token = token;
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

  private Uni<Response> command(String id, RolloutObjectsRepository.Command command) {
    return control
        .command(id, command, Callers.of(token))
        .map(accepted -> Response.accepted(accepted).build());
  }

  @GET
  public Uni<List<Rollout>> recent(
      @QueryParam("application") String application,
      @QueryParam("environment") String environment,
      @QueryParam("limit") String limit) {
    return rollouts.recent(application, environment, PageLimit.parse(limit));
  }

  @GET
  @Path("/{id}")
  public Uni<RolloutDetail> one(@PathParam("id") String id) {
    return rollouts
        .find(id)
        .map(
            found ->
                found.orElseThrow(() -> new NotFoundException("rollout " + id + " does not exist")))
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
