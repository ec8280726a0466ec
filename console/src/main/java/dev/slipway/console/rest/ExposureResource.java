package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel.Exposure;
import dev.slipway.console.client.ApiResult;
import dev.slipway.console.client.SlipwayClient;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** "Where is CVE-X running?": the applications and environments running an affected component. */
@Path("/exposure")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class ExposureResource {

  private final SlipwayClient client;
  private final CurrentSession current;

  public ExposureResource(SlipwayClient client, CurrentSession current) {
    this.client = client;
    this.current = current;
  }

  @GET
  public TemplateInstance exposure(@QueryParam("vulnerability") String vulnerability) {
    PageContext page = PageContext.of("Vulnerability exposure", "exposure", current);
    String query = vulnerability == null ? "" : vulnerability.strip();
    Exposure exposure = null;
    if (!query.isEmpty()) {
      ApiResult<Exposure> found = client.exposure(query, current.require().token()).join();
      page.note(found.problem());
      exposure = found.orElse(null);
    }
    return Pages.exposure(page, query, exposure);
  }
}
