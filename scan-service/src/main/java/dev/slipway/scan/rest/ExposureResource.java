package dev.slipway.scan.rest;

import dev.slipway.scan.service.ExposureService;
import dev.slipway.scan.service.ExposureService.Exposure;
import dev.slipway.scan.service.RequestException;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Where a vulnerability or package runs now, across applications and environments. */
@Path("/api/exposure")
@Produces(MediaType.APPLICATION_JSON)
public class ExposureResource {

  private final ExposureService exposure;
  private final Access access;

  public ExposureResource(ExposureService exposure, Access access) {
    this.exposure = exposure;
    this.access = access;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Exposure> exposure(
      @QueryParam("vulnerability") String vulnerability, @QueryParam("purl") String purl) {
    // Which digests run where, across every application: for readers of the whole platform.
    access.require(Roles.READ, null);
    boolean byVulnerability = vulnerability != null && !vulnerability.isBlank();
    boolean byPurl = purl != null && !purl.isBlank();
    if (byVulnerability == byPurl) {
      String field = byVulnerability ? "purl" : "vulnerability";
      throw RequestException.invalid(
          field, "Give exactly one of 'vulnerability' (an OSV id or alias) and 'purl'.");
    }
    if (byVulnerability) {
      return exposure
          .ofVulnerability(vulnerability.trim())
          .map(
              found ->
                  found.orElseThrow(
                      () ->
                          RequestException.unknown(
                              "No advisory has the id or alias " + vulnerability + ".")));
    }
    return exposure
        .ofPackage(purl.trim())
        .onFailure(IllegalArgumentException.class)
        .transform(e -> RequestException.invalid("purl", "'purl': " + e.getMessage()));
  }
}
