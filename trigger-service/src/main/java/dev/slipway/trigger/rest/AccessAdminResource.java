package dev.slipway.trigger.rest;

import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.repository.AccessRepository;
import dev.slipway.trigger.service.AccessAdminService;
import dev.slipway.trigger.service.AccessAdminService.BindingRequest;
import dev.slipway.trigger.service.AccessAdminService.IdentityRequest;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Set;

/**
 * Who may do what, where: role bindings (a group, a role, a scope) and the Git host accounts linked
 * to users, for platform admins. Every change is versioned: a binding's or link's ETag is its
 * version, and a change must send it back as If-Match (409 when it is stale); each change is logged
 * with its actor and published on access.policy.
 */
@Path("/api/admin")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class AccessAdminResource {

  private static final Set<String> ADMIN = Set.of(Roles.ADMIN);

  private final AccessAdminService service;
  private final Access access;

  public AccessAdminResource(AccessAdminService service, Access access) {
    this.service = service;
    this.access = access;
  }

  @GET
  @Path("/bindings")
  public Uni<Response> bindings() {
    access.require(ADMIN, null);
    return service
        .bindings()
        .map(
            listing ->
                Response.ok(listing.bindings())
                    .header("Slipway-Policy-Version", listing.policyVersion())
                    .build());
  }

  @GET
  @Path("/bindings/{id}")
  public Uni<Response> binding(@PathParam("id") String id) {
    access.require(ADMIN, null);
    return service.binding(id).map(b -> tagged(Response.ok(b.binding()), b.version()).build());
  }

  @GET
  @Path("/bindings/{id}/versions")
  public Uni<List<AccessRepository.StoredBinding>> versions(@PathParam("id") String id) {
    access.require(ADMIN, null);
    return service.history(id);
  }

  @POST
  @Path("/bindings")
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> create(BindingRequest request, @Context UriInfo uri) {
    access.require(ADMIN, null);
    return service
        .create(request, access.actor().user())
        .map(
            b ->
                tagged(
                        Response.created(uri.getAbsolutePathBuilder().path(b.id()).build())
                            .entity(b.binding()),
                        b.version())
                    .build());
  }

  @PUT
  @Path("/bindings/{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> replace(
      @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, BindingRequest request) {
    access.require(ADMIN, null);
    long expected = version(ifMatch, true);
    return service
        .replace(id, expected, request, access.actor().user())
        .map(b -> tagged(Response.ok(b.binding()), b.version()).build());
  }

  @DELETE
  @Path("/bindings/{id}")
  public Uni<Response> delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
    access.require(ADMIN, null);
    long expected = version(ifMatch, true);
    return service
        .delete(id, expected, access.actor().user())
        .map(done -> Response.noContent().build());
  }

  @GET
  @Path("/identities")
  public Uni<List<AccessRepository.StoredIdentity>> identities() {
    access.require(ADMIN, null);
    return service.identities();
  }

  @PUT
  @Path("/identities/{user: .+}")
  @Consumes(MediaType.APPLICATION_JSON)
  public Uni<Response> link(
      @PathParam("user") String user,
      @HeaderParam("If-Match") String ifMatch,
      IdentityRequest request) {
    access.require(ADMIN, null);
    Long expected = ifMatch == null ? null : version(ifMatch, true);
    return service
        .link(user, expected, request, access.actor().user())
        .map(link -> tagged(Response.ok(link.link()), link.version()).build());
  }

  @DELETE
  @Path("/identities/{user: .+}")
  public Uni<Response> unlink(
      @PathParam("user") String user, @HeaderParam("If-Match") String ifMatch) {
    access.require(ADMIN, null);
    long expected = version(ifMatch, true);
    return service
        .unlink(user, expected, access.actor().user())
        .map(done -> Response.noContent().build());
  }

  private static Response.ResponseBuilder tagged(Response.ResponseBuilder response, long version) {
    return response.tag(new EntityTag(String.valueOf(version)));
  }

  /** The version an If-Match names ({@code "3"}, {@code 3} or {@code W/"3"}). */
  static long version(String ifMatch, boolean required) {
    if (ifMatch == null || ifMatch.isBlank()) {
      throw new InvalidInputException(
          "Header If-Match is required: send the ETag of the version you read.", "If-Match");
    }
    String value = ifMatch.strip();
    if (value.startsWith("W/")) {
      value = value.substring(2);
    }
    value = value.replace("\"", "");
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "Header If-Match must be the ETag of a version, such as \"3\".", "If-Match");
    }
  }
}
