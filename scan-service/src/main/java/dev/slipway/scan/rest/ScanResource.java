package dev.slipway.scan.rest;

import dev.slipway.scan.Scan;
import dev.slipway.scan.repository.ScanRepository;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Read access to scans. */
@Path("/api/scans")
@Produces(MediaType.APPLICATION_JSON)
public class ScanResource {

  private final ScanRepository scans;

  public ScanResource(ScanRepository scans) {
    this.scans = scans;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<List<Scan>> recent(
      @QueryParam("application") String application,
      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
    return scans.recent(application, limit);
  }
}
