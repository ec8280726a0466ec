package dev.slipway.audit.rest;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.service.AuditExportFormat;
import dev.slipway.audit.service.AuditQueryService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Streams the audit store as NDJSON or CSV for auditors: rows go from a database cursor to the
 * response as the client reads them, a bounded number in memory at any time, whatever the range.
 */
@Path("/api/audit/export")
@RolesAllowed(AuditResource.AUDITOR)
public class AuditExportResource {

  private static final int IN_FLIGHT_ROWS = 256;
  private static final int WRITE_BUFFER = 64 * 1024;

  private final AuditQueryService queries;

  public AuditExportResource(AuditQueryService queries) {
    this.queries = queries;
  }

  /** Blocking on purpose: the response is written from a worker thread as rows arrive. */
  @GET
  @Blocking
  @Produces({AuditExportFormat.NDJSON_TYPE, AuditExportFormat.CSV_TYPE})
  public Response export(
      @QueryParam("format") String format,
      @QueryParam("from") String from,
      @QueryParam("to") String to) {
    AuditExportFormat exportFormat =
        AuditExportFormat.of(QueryParameters.text(format))
            .orElseThrow(
                () ->
                    new BadParameterException(
                        "format", "format must be ndjson or csv, was '" + format + "'"));
    OffsetDateTime fromTime = QueryParameters.time("from", from);
    OffsetDateTime toTime = QueryParameters.time("to", to);
    QueryParameters.ordered("from", fromTime, toTime);
    StreamingOutput body =
        output -> {
          Writer writer =
              new BufferedWriter(
                  new OutputStreamWriter(output, StandardCharsets.UTF_8), WRITE_BUFFER);
          for (String line : exportFormat.header()) {
            writer.write(line);
          }
          for (AuditEvent event :
              queries
                  .export(fromTime, toTime)
                  .subscribe()
                  .asIterable(IN_FLIGHT_ROWS, () -> new ArrayBlockingQueue<>(IN_FLIGHT_ROWS))) {
            writer.write(exportFormat.line(event));
          }
          writer.flush();
        };
    return Response.ok(body, exportFormat.mediaType())
        .header(
            "Content-Disposition",
            "attachment; filename=\"audit." + exportFormat.extension() + "\"")
        .build();
  }
}
