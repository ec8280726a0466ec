package dev.slipway.trigger.rest;

import dev.slipway.problem.Page;
import dev.slipway.problem.PageLimit;
import dev.slipway.trigger.api.ApplicationRequest;
import dev.slipway.trigger.api.ApplicationView;
import dev.slipway.trigger.api.RunRequest;
import dev.slipway.trigger.service.ApplicationService;
import dev.slipway.trigger.service.ManualRunService;
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

/** The application registry over HTTP, and manual runs of an application. */
@Path("/api/apps")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApplicationResource {

  private static final int MAX_PAGE = 1000;

  private final ApplicationService applications;
  private final ManualRunService runs;

  public ApplicationResource(ApplicationService applications, ManualRunService runs) {
    this.applications = applications;
    this.runs = runs;
  }

  @POST
  @RolesAllowed("admin")
  public Uni<Response> create(ApplicationRequest request, @Context UriInfo uri) {
    return applications
        .create(request, uri.getBaseUri())
        .map(
            view ->
                Response.created(uri.getAbsolutePathBuilder().path(view.name()).build())
                    .entity(view)
                    .build());
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Page<ApplicationView>> list(
      @QueryParam("after") String after, @QueryParam("limit") String limit, @Context UriInfo uri) {
    int size = PageLimit.parse(limit, MAX_PAGE, MAX_PAGE);
    return applications
        .page(after, size, uri.getBaseUri())
        .map(page -> Page.of(page, size, ApplicationView::name));
  }

  @GET
  @Path("/{name}")
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<ApplicationView> get(@PathParam("name") String name, @Context UriInfo uri) {
    return applications.get(name, uri.getBaseUri());
  }

  @PUT
  @Path("/{name}")
  @RolesAllowed("admin")
  public Uni<ApplicationView> replace(
      @PathParam("name") String name, ApplicationRequest request, @Context UriInfo uri) {
    return applications.replace(name, request, uri.getBaseUri());
  }

  @DELETE
  @Path("/{name}")
  @RolesAllowed("admin")
  public Uni<Response> delete(@PathParam("name") String name) {
    return applications.delete(name).map(done -> Response.noContent().build());
  }

  @POST
  @Path("/{name}/runs")
  @RolesAllowed({"deployer", "admin"})
  public Uni<Response> run(
      @PathParam("name") String name,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      RunRequest request,
      @Context SecurityContext security) {
    return runs.start(name, request, security.getUserPrincipal().getName(), idempotencyKey)
        .map(
            started ->
                Response.status(started.first() ? Response.Status.ACCEPTED : Response.Status.OK)
                    .entity(started.run())
                    .build());
  }
}
