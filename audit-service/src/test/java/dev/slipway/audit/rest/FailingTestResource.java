package dev.slipway.audit.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Test only: a read that fails as a bug would, so the catch-all answer can be checked. */
@Path("/api/test-only/failure")
@Produces(MediaType.APPLICATION_JSON)
public class FailingTestResource {

  @GET
  @RolesAllowed({"viewer", "auditor"})
  public String fail() {
    throw new IllegalStateException("IllegalStateException: the test-only resource failed");
  }
}
