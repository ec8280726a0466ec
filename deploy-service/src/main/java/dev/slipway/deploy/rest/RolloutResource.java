package dev.slipway.deploy.rest;

import dev.slipway.deploy.Rollout;
import dev.slipway.deploy.repository.RolloutRepository;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Read access to rollouts. */
@Path("/api/rollouts")
@Produces(MediaType.APPLICATION_JSON)
public class RolloutResource {

  private final RolloutRepository rollouts;

  public RolloutResource(RolloutRepository rollouts) {
    this.rollouts = rollouts;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<List<Rollout>> recent(
      @QueryParam("application") String application,
      @QueryParam("environment") String environment,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
    return rollouts.recent(application, environment, limit);
  }
}
