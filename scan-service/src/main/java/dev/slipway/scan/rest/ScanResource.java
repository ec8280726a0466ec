package dev.slipway.scan.rest;

import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.Page;
import dev.slipway.problem.PageLimit;
import dev.slipway.scan.Scan;
import dev.slipway.scan.repository.ScanQueries.Position;
import dev.slipway.scan.service.AdhocScans;
import dev.slipway.scan.service.ScanService;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Scans: the list, one scan with its findings, its SARIF and SBOM, and ad-hoc scans. */
@Path("/api/scans")
@Produces(MediaType.APPLICATION_JSON)
public class ScanResource {

  private static final String SARIF_JSON = "application/sarif+json";
  private static final String CYCLONEDX_JSON = "application/vnd.cyclonedx+json";

  private static final Set<String> SCANNERS = Set.of(Roles.DEPLOYER, Roles.ADMIN);

  private final ScanService scans;
  private final AdhocScans adhoc;
  private final Access access;

  public ScanResource(ScanService scans, AdhocScans adhoc, Access access) {
    this.scans = scans;
    this.adhoc = adhoc;
    this.access = access;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Page<Scan>> page(
      @QueryParam("application") String application,
      @QueryParam("limit") String limitParam,
      @QueryParam("after") String after) {
    int limit = PageLimit.parse(limitParam);
    List<String> applications = access.listScope(Roles.READ, application).orElse(null);
    return scans
        .page(applications, decode(after), limit)
        .map(page -> Page.of(page, limit, ScanResource::encode))
        .map(page -> new Page<>(page.items().stream().map(Scan::summary).toList(), page.next()));
  }

  @GET
  @Path("{scanId}")
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Scan> scan(@PathParam("scanId") String scanId) {
    return inScope(scanId);
  }

  @GET
  @Path("{scanId}/sarif")
  @Produces(SARIF_JSON)
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Response> sarif(@PathParam("scanId") String scanId) {
    return inScope(scanId)
        .flatMap(scan -> scans.sarif(scanId))
        .map(log -> Response.ok(log, SARIF_JSON).build());
  }

  @GET
  @Path("{scanId}/sbom")
  @Produces(CYCLONEDX_JSON)
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Response> sbom(@PathParam("scanId") String scanId) {
    return inScope(scanId)
        .flatMap(scan -> scans.sbom(scanId))
        .map(sbom -> Response.ok(sbom, CYCLONEDX_JSON).build());
  }

  /**
   * An ad-hoc scan of an uploaded CycloneDX JSON SBOM (form part {@code sbom}), with an optional
   * policy (form part {@code policy}, JSON) and application name; stored, deploys nothing.
   */
  @POST
  @Blocking
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @RolesAllowed({"deployer", "admin"})
  public Response adhoc(
      @RestForm("sbom") FileUpload sbom,
      @RestForm("policy") String policy,
      @RestForm("application") String application,
      @jakarta.ws.rs.core.Context UriInfo uri) {
    // An ad-hoc scan named after an application is that application's; one named after none is
    // the caller's own and needs a role for the whole platform.
    access.require(SCANNERS, application);
    Scan scan = adhoc.adhoc(sbom, policy, application, access.actor().user());
    URI location = uri.getBaseUriBuilder().path("api/scans").path(scan.scanId()).build();
    return Response.created(location).entity(scan).build();
  }

  private static String encode(Scan last) {
    String position = last.requestedAt() + "|" + last.scanId();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(position.getBytes(StandardCharsets.UTF_8));
  }

  private static Position decode(String after) {
    if (after == null || after.isBlank()) {
      return null;
    }
    try {
      String position = new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8);
      int bar = position.indexOf('|');
      return new Position(
          OffsetDateTime.parse(position.substring(0, bar)), position.substring(bar + 1));
    } catch (RuntimeException e) {
      throw new InvalidInputException("'after' is not a cursor this API returned", "after");
    }
  }

  /** Scan {@code scanId} if the caller may read its application's records; else 404 or 403. */
  private Uni<Scan> inScope(String scanId) {
    return scans.find(scanId).invoke(scan -> access.require(Roles.READ, scan.application()));
  }
}
