package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel.Scan;
import dev.slipway.console.client.ApiResult;
import dev.slipway.console.client.PlatformApi.Download;
import dev.slipway.console.client.SlipwayClient;
import dev.slipway.console.view.ScanView;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** A scan: findings by severity, ignores and their expiry, the SARIF download. */
@Path("/scans/{id}")
@Blocking
public class ScanResource {

  private final SlipwayClient client;
  private final CurrentSession current;

  public ScanResource(SlipwayClient client, CurrentSession current) {
    this.client = client;
    this.current = current;
  }

  @GET
  @Produces(MediaType.TEXT_HTML)
  public TemplateInstance scan(@PathParam("id") String id) {
    PageContext page = PageContext.of("Scan " + id, "apps", current);
    ApiResult<Scan> scan = client.scan(id, current.require().token()).join();
    if (!scan.ok()) {
      return Pages.error(page, BuildResource.status(scan), "Scan " + id, scan.problem().summary());
    }
    return Pages.scan(
        page,
        scan.value(),
        ScanView.groups(scan.value()),
        ScanView.ignores(scan.value(), ScanView.today()));
  }

  /** The scan as SARIF 2.1.0, downloaded as a file. */
  @GET
  @Path("sarif")
  public Response sarif(@PathParam("id") String id) {
    ApiResult<Download> sarif = client.sarif(id, current.require().token()).join();
    if (!sarif.ok()) {
      return Pages.problem(
          BuildResource.status(sarif), "SARIF of scan " + id, sarif.problem().summary());
    }
    return Response.ok(sarif.value().body(), "application/sarif+json")
        .header(
            "Content-Disposition",
            "attachment; filename=\"scan-" + id.replaceAll("[^A-Za-z0-9-]", "") + ".sarif.json\"")
        .build();
  }
}
