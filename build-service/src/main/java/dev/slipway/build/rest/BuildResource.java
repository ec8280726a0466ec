package dev.slipway.build.rest;

import dev.slipway.build.Build;
import dev.slipway.build.repository.BuildRepository;
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

/** Read access to builds. */
@Path("/api/builds")
@Produces(MediaType.APPLICATION_JSON)
public class BuildResource {

  private final BuildRepository builds;

  public BuildResource(BuildRepository builds) {
    this.builds = builds;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<List<Build>> recent(
      @QueryParam("application") String application,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
    return builds.recent(application, limit);
  }
}
