package dev.slipway.audit.rest;

import dev.slipway.audit.service.AuditExportFormat;
import dev.slipway.audit.service.AuditExporter;
import dev.slipway.audit.service.AuditReadRecorder;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.quarkus.security.identity.SecurityIdentity;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streams a range of the log as NDJSON (with a trailer that proves what it holds) or CSV, for
 * auditors. The read is recorded in the log before anything is sent.
 */
@Path("/api/audit/export")
@RolesAllowed(AuditResource.AUDITOR)
public class AuditExportResource {

  private static final int WRITE_BUFFER = 64 * 1024;

  private final AuditExporter exporter;
  private final AuditReadRecorder reads;
  private final SecurityIdentity identity;
  private final Access access;

  public AuditExportResource(
      AuditExporter exporter, AuditReadRecorder reads, SecurityIdentity identity, Access access) {
    this.exporter = exporter;
    this.reads = reads;
    this.identity = identity;
    this.access = access;
  }

  /** Blocking on purpose: the response is written from a worker thread as rows arrive. */
  @GET
  @Blocking
  @Produces({AuditExportFormat.NDJSON_TYPE, AuditExportFormat.CSV_TYPE})
  public Response export(
      @QueryParam("format") String format,
      @QueryParam("fromSeq") String fromSeq,
      @QueryParam("toSeq") String toSeq,
      @QueryParam("from") String from,
      @QueryParam("to") String to) {
    // The export is the whole log: only an auditor bound to the whole platform takes it.
    access.require(java.util.Set.of(Roles.AUDITOR), null);
    AuditExportFormat exportFormat =
        AuditExportFormat.of(QueryParameters.text(format))
            .orElseThrow(
                () ->
                    new BadParameterException(
                        "format", "format must be ndjson or csv, was '" + format + "'"));
    Long first = QueryParameters.sequence("fromSeq", fromSeq);
    Long last = QueryParameters.sequence("toSeq", toSeq);
    if (first != null && last != null && first > last) {
      throw new BadParameterException("fromSeq", "fromSeq must not be after toSeq");
    }
    OffsetDateTime fromTime = QueryParameters.time("from", from);
    OffsetDateTime toTime = QueryParameters.time("to", to);
    QueryParameters.ordered("from", fromTime, toTime);
    Map<String, String> query = new LinkedHashMap<>();
    query.put("format", exportFormat.name().toLowerCase());
    putIfPresent(query, "fromSeq", first);
    putIfPresent(query, "toSeq", last);
    putIfPresent(query, "from", fromTime);
    putIfPresent(query, "to", toTime);
    reads.record("export", caller(), identity.getRoles(), query);
    AuditExporter.Range range = new AuditExporter.Range(first, last, fromTime, toTime);
    StreamingOutput body =
        output -> {
          Writer writer =
              new BufferedWriter(
                  new OutputStreamWriter(output, StandardCharsets.UTF_8), WRITE_BUFFER);
          exporter.export(range, exportFormat, writer);
        };
    return Response.ok(body, exportFormat.mediaType())
        .header(
            "Content-Disposition",
            "attachment; filename=\"audit." + exportFormat.extension() + "\"")
        .build();
  }

  private static void putIfPresent(Map<String, String> query, String name, Object value) {
    if (value != null) {
      query.put(name, value.toString());
    }
  }

  private String caller() {
    return access.actor().user();
  }
}
