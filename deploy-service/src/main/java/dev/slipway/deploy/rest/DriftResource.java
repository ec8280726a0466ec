package dev.slipway.deploy.rest;

import dev.slipway.deploy.client.ClusterUnreachableException;
import dev.slipway.deploy.problem.ClusterUnavailableException;
import dev.slipway.deploy.problem.NotFoundException;
import dev.slipway.deploy.rollout.DriftDetector;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** What runs in an environment against the last revision that succeeded there. */
@Path("/api/apps/{application}/environments/{environment}/drift")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
public class DriftResource {

  private final DriftDetector drift;
  private final Access access;

  public DriftResource(DriftDetector drift, Access access) {
    this.drift = drift;
    this.access = access;
  }

  @GET
  public DriftDetector.Report drift(
      @PathParam("application") String application, @PathParam("environment") String environment) {
    access.require(Roles.READ, application, environment);
    try {
      return drift
          .check(application, environment, false)
          .orElseThrow(
              () ->
                  new NotFoundException(
                      "%s has no successful release in %s to compare with"
                          .formatted(application, environment)));
    } catch (ClusterUnreachableException e) {
      throw new ClusterUnavailableException(e.getMessage());
    } catch (RuntimeException e) {
      if (e.getClass().getSimpleName().equals("ClusterRefusedException")) {
        throw new ClusterUnavailableException(e.getMessage());
      }
      throw e;
    }
  }
}
