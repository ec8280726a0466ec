package dev.slipway.deploy.rest;

import dev.slipway.deploy.Release;
import dev.slipway.deploy.service.ReleaseService;
import dev.slipway.problem.PageLimit;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;

/** The release history of an application in an environment, and manual rollback. */
@Path("/api/apps/{application}/environments/{environment}")
@Produces(MediaType.APPLICATION_JSON)
public class ReleaseResource {

  private final ReleaseService releases;
  private final Access access;

  public ReleaseResource(ReleaseService releases, Access access) {
    this.releases = releases;
    this.access = access;
  }

  @GET
  @Path("/releases")
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<List<Release>> history(
      @PathParam("application") String application,
      @PathParam("environment") String environment,
      @QueryParam("limit") String limit) {
    access.require(Roles.READ, application, environment);
    return releases.history(application, environment, PageLimit.parse(limit));
  }

  @POST
  @Path("/rollback")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed("deployer")
  public Uni<Response> rollback(
      @PathParam("application") String application,
      @PathParam("environment") String environment,
      @HeaderParam("Idempotency-Key") @Size(max = 200) String idempotencyKey,
      @NotNull @Valid RollbackBody body) {
    access.require(Set.of(Roles.DEPLOYER), application, environment);
    return releases
        .rollback(
            application, environment, body.revision(), Callers.of(access.actor()), idempotencyKey)
        .map(accepted -> Response.accepted(accepted).build());
  }

  /**
   * The revision to restore.
   *
   * @param revision a revision of the release history that succeeded
   */
  public record RollbackBody(@NotNull @Min(1) Long revision) {}
}
