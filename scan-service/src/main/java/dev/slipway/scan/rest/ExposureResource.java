package dev.slipway.scan.rest;

import dev.slipway.problem.PageLimit;
import dev.slipway.scan.repository.ExposureRepository.Found;
import dev.slipway.scan.service.ExposureService;
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
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;

/**
 * Where a vulnerability or package runs now, across applications and environments; without either,
 * what re-evaluation newly found on the digests that serve.
 */
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
  public Uni<?> exposure(
      @QueryParam("vulnerability") String vulnerability,
      @QueryParam("purl") String purl,
      @QueryParam("limit") String limitParam,
      @QueryParam("after") String after) {
    // Which digests run where, across every application: for readers of the whole platform.
    access.require(Roles.READ, null);
    boolean byVulnerability = vulnerability != null && !vulnerability.isBlank();
    boolean byPurl = purl != null && !purl.isBlank();
    if (byVulnerability && byPurl) {
      throw RequestException.invalid(
          "purl", "Give at most one of 'vulnerability' (an OSV id or alias) and 'purl'.");
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
    if (byPurl) {
      return exposure
          .ofPackage(purl.trim())
          .onFailure(IllegalArgumentException.class)
          .transform(e -> RequestException.invalid("purl", "'purl': " + e.getMessage()));
    }
    int limit = PageLimit.parse(limitParam);
    Cursor cursor = Cursor.decode(after);
    return exposure
        .found(
            cursor == null ? null : cursor.foundAt(),
            cursor == null ? null : cursor.eventId(),
            limit)
        .map(
            page ->
                new FoundPage(
                    page, page.size() == limit ? Cursor.encode(page.get(page.size() - 1)) : null));
  }

  /**
   * One page of findings newly found on running digests, newest first.
   *
   * @param items the findings
   * @param next the cursor of the next page (pass it as {@code after}); null on the last page
   */
  public record FoundPage(List<Found> items, String next) {}

  private record Cursor(OffsetDateTime foundAt, String eventId) {
    static String encode(Found last) {
      String position = last.foundAt() + "|" + last.eventId();
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String after) {
      if (after == null || after.isBlank()) {
        return null;
      }
      try {
        String position = new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8);
        int bar = position.indexOf('|');
        return new Cursor(
            OffsetDateTime.parse(position.substring(0, bar)), position.substring(bar + 1));
      } catch (RuntimeException e) {
        throw RequestException.invalid("after", "'after' is not a cursor this API returned");
      }
    }
  }
}
