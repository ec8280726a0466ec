package dev.slipway.work.outbox;

import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.Page;
import dev.slipway.problem.PageLimit;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/**
 * The outbox's parked rows, for operators (role {@code admin}) of every service: list them, retry
 * one (it goes back in line at its place) or drop one. Every retry and drop is audited as an {@code
 * admin.action} event.
 */
@Path("/api/admin/outbox/parked")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class OutboxAdminResource {

  private final OutboxAdmin admin;

  public OutboxAdminResource(OutboxAdmin admin) {
    this.admin = admin;
  }

  /** Parked rows, oldest first, {@code limit} at a time after the cursor {@code after}. */
  @GET
  public Uni<Page<ParkedEvent>> list(
      @QueryParam("after") String after, @QueryParam("limit") String limit) {
    return admin.parked(after == null ? null : id(after, "after"), PageLimit.parse(limit));
  }

  /** Puts a parked row back in line to be published again. */
  @POST
  @Path("/{id}/retry")
  public Uni<ParkedEvent> retry(@PathParam("id") String id, @Context SecurityContext caller) {
    return admin.retry(id(id, "id"), caller.getUserPrincipal().getName());
  }

  /** Drops a parked row: it is never published. */
  @DELETE
  @Path("/{id}")
  public Uni<ParkedEvent> drop(@PathParam("id") String id, @Context SecurityContext caller) {
    return admin.drop(id(id, "id"), caller.getUserPrincipal().getName());
  }

  private static long id(String value, String field) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(field + " must be the number of an outbox row.", field);
    }
  }
}
