package dev.slipway.deploy.rest;

import dev.slipway.deploy.Rollout;
import dev.slipway.deploy.problem.NotFoundException;
import dev.slipway.deploy.repository.RolloutRepository;
import dev.slipway.problem.PageLimit;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Read access to rollouts and their progress. */
@Path("/api/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
public class RolloutResource {

  private final RolloutRepository rollouts;
  private final Access access;

  public RolloutResource(RolloutRepository rollouts, Access access) {
    this.rollouts = rollouts;
    this.access = access;
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
