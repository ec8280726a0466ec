package dev.slipway.deploy.rest;

import dev.slipway.deploy.Approval;
import dev.slipway.deploy.ApprovalStatus;
import dev.slipway.deploy.service.ApprovalService;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.Page;
import dev.slipway.problem.PageLimit;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.Locale;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Manual promotions: list them, approve (approver role, distinct people), reject. */
@Path("/api/approvals")
@Produces(MediaType.APPLICATION_JSON)
public class ApprovalResource {

  private final ApprovalService approvals;
  private final JsonWebToken token;

  public ApprovalResource(ApprovalService approvals, JsonWebToken token) {
    this.approvals = approvals;
    this.token = token;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Page<Approval>> list(
      @QueryParam("application") String application,
      @QueryParam("status") String status,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    int size = PageLimit.parse(limit);
    return approvals
        .list(application, status == null ? null : parseStatus(status), after, size)
        .map(page -> Page.of(page, size, Approval::id));
  }

  @GET
  @Path("/{id}")
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Approval> one(@PathParam("id") String id) {
    return approvals.get(id);
  }

  @POST
  @Path("/{id}/approve")
  @RolesAllowed("approver")
  public Uni<Approval> approve(@PathParam("id") String id) {
    return approvals.approve(id, Callers.of(token));
  }

  @POST
  @Path("/{id}/reject")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed("approver")
  public Uni<Approval> reject(@PathParam("id") String id, @NotNull @Valid RejectBody body) {
    return approvals.reject(id, Callers.of(token), body.reason().trim());
  }

  // Parsed here, not by JAX-RS, whose answer to an unknown constant cannot name the parameter.
  private static ApprovalStatus parseStatus(String status) {
    try {
      return ApprovalStatus.valueOf(status.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "status must be one of " + Arrays.toString(ApprovalStatus.values()) + ".", "status");
    }
  }

  /**
   * Why a promotion is rejected.
   *
   * @param reason for the people who wait on it
   */
  public record RejectBody(@NotBlank @Size(max = 2000) String reason) {}
}
