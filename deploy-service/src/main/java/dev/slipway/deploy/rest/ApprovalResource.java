package dev.slipway.deploy.rest;

import dev.slipway.deploy.Approval;
import dev.slipway.deploy.ApprovalStatus;
import dev.slipway.deploy.service.ApprovalService;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.PageLimit;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
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
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Manual promotions: list them, approve (approver role, distinct people), reject. */
@Path("/api/approvals")
@Produces(MediaType.APPLICATION_JSON)
public class ApprovalResource {

  private static final Set<String> APPROVERS = Set.of(Roles.APPROVER);

  private final ApprovalService approvals;
  private final Access access;

  public ApprovalResource(ApprovalService approvals, Access access) {
    this.approvals = approvals;
    this.access = access;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<List<Approval>> list(
      @QueryParam("application") String application,
      @QueryParam("status") String status,
      @QueryParam("limit") String limit) {
    ApprovalStatus wanted = status == null ? null : parseStatus(status);
    int max = PageLimit.parse(limit);
    return approvals.list(access.listScope(Roles.READ, application).orElse(null), wanted, max);
  }

  @GET
  @Path("/{id}")
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Approval> one(@PathParam("id") String id) {
    return approvals
        .get(id)
        .invoke(found -> access.require(Roles.READ, found.application(), found.environment()));
  }

  @POST
  @Path("/{id}/approve")
  @RolesAllowed("approver")
  public Uni<Approval> approve(@PathParam("id") String id) {
    return approvals
        .get(id)
        .invoke(found -> access.require(APPROVERS, found.application(), found.environment()))
        .flatMap(found -> approvals.approve(id, Callers.of(access.actor())));
  }

  @POST
  @Path("/{id}/reject")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed("approver")
  public Uni<Approval> reject(@PathParam("id") String id, @NotNull @Valid RejectBody body) {
    return approvals
        .get(id)
        .invoke(found -> access.require(APPROVERS, found.application(), found.environment()))
        .flatMap(found -> approvals.reject(id, Callers.of(access.actor()), body.reason().trim()));
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
