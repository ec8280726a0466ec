package dev.slipway.trigger.rest;

import dev.slipway.problem.PageLimit;
import dev.slipway.trigger.api.ApplicationRequest;
import dev.slipway.trigger.api.ApplicationView;
import dev.slipway.trigger.api.RunRequest;
import dev.slipway.trigger.service.ApplicationService;
import dev.slipway.trigger.service.ManualRunService;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The application registry over HTTP, and manual runs of an application. */
@Path("/api/apps")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApplicationResource {

  private static final int MAX_PAGE = 1000;

  private static final Set<String> ADMIN = Set.of(Roles.ADMIN);
  private static final Set<String> RUNNERS = Set.of(Roles.DEPLOYER, Roles.ADMIN);

  private final ApplicationService applications;
  private final ManualRunService runs;
  private final Access access;

  public ApplicationResource(
      ApplicationService applications, ManualRunService runs, Access access) {
    this.applications = applications;
    this.runs = runs;
    this.access = access;
  }

  @POST
  @RolesAllowed("admin")
  public Uni<Response> create(ApplicationRequest request, @Context UriInfo uri) {
    // The registry holds platform-owned settings: only a platform admin registers an application.
    access.require(ADMIN, null);
    return applications
        .create(request, uri.getBaseUri(), access.actor().user())
        .map(
            view ->
                Response.created(uri.getAbsolutePathBuilder().path(view.name()).build())
                    .entity(view)
                    .build());
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<List<ApplicationView>> list(
      @QueryParam("after") String after, @QueryParam("limit") String limit, @Context UriInfo uri) {
    Optional<Set<String>> visible = access.visibleApplications(Roles.READ);
    Uni<List<ApplicationView>> page =
        after == null && limit == null
            ? applications.list(uri.getBaseUri())
            : applications.page(
                after, PageLimit.parse(limit, MAX_PAGE, MAX_PAGE), uri.getBaseUri());
    return page.map(
        views ->
            visible.isEmpty()
                ? views
                : views.stream().filter(v -> visible.get().contains(v.name())).toList());
  }

  @GET
  @Path("/{name}")
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<ApplicationView> get(@PathParam("name") String name, @Context UriInfo uri) {
    access.require(Roles.READ, name);
    return applications.get(name, uri.getBaseUri());
  }

  @PUT
  @Path("/{name}")
  @RolesAllowed("admin")
  public Uni<ApplicationView> replace(
      @PathParam("name") String name, ApplicationRequest request, @Context UriInfo uri) {
    access.require(ADMIN, null);
    return applications.replace(name, request, uri.getBaseUri(), access.actor().user());
  }

  @DELETE
  @Path("/{name}")
  @RolesAllowed("admin")
  public Uni<Response> delete(@PathParam("name") String name) {
    access.require(ADMIN, null);
    return applications
        .delete(name, access.actor().user())
        .map(done -> Response.noContent().build());
  }

  @POST
  @Path("/{name}/runs")
  @RolesAllowed({"deployer", "admin"})
  public Uni<Response> run(
      @PathParam("name") String name,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      RunRequest request,
      @Context SecurityContext security) {
    access.require(RUNNERS, name);
    return runs.start(name, request, access.actor().user(), idempotencyKey)
        .map(
            started ->
                Response.status(started.first() ? Response.Status.ACCEPTED : Response.Status.OK)
                    .entity(started.run())
                    .build());
  }
}
