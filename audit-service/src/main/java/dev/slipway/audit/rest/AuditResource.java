package dev.slipway.audit.rest;

import dev.slipway.audit.AuditEvent;
import dev.slipway.audit.dora.DoraMetrics;
import dev.slipway.audit.service.AuditQueryService;
import dev.slipway.audit.service.AuditReadRecorder;
import dev.slipway.audit.service.CommitTimeline;
import dev.slipway.audit.service.DoraService;
import dev.slipway.audit.service.EventFilter;
import dev.slipway.audit.service.LogVerifier;
import dev.slipway.audit.service.RunTimeline;
import dev.slipway.audit.service.VerificationReport;
import dev.slipway.problem.Page;
import dev.slipway.work.access.Access;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read access to the audit store: events, run and commit timelines, verification, DORA. */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({AuditResource.VIEWER, AuditResource.AUDITOR})
public class AuditResource {

  static final String VIEWER = "viewer";
  static final String AUDITOR = "auditor";

  private static final int DEFAULT_LIMIT = 100;
  private static final int DEFAULT_TIMELINE_LIMIT = AuditQueryService.MAX_LIMIT;
  private static final Duration DEFAULT_DORA_WINDOW = Duration.ofDays(30);

  private final AuditQueryService queries;
  private final LogVerifier verifier;
  private final DoraService dora;
  private final AuditReadRecorder reads;
  private final SecurityIdentity identity;
  private final Access access;

  public AuditResource(
      AuditQueryService queries,
      LogVerifier verifier,
      DoraService dora,
      AuditReadRecorder reads,
      SecurityIdentity identity,
      Access access) {
    this.queries = queries;
    this.verifier = verifier;
    this.dora = dora;
    this.reads = reads;
    this.identity = identity;
    this.access = access;
  }

  @GET
  @Path("/events")
  public Uni<Page<AuditEvent>> events(
      @QueryParam("application") String application,
      @QueryParam("runId") String runId,
      @QueryParam("commit") String commit,
      @QueryParam("type") String type,
      @QueryParam("topic") String topic,
      @QueryParam("environment") String environment,
      @QueryParam("status") String status,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("order") String order,
      @QueryParam("limit") String limit,
      @QueryParam("after") String cursor,
      @QueryParam("cursor") String renamedCursor) {
    QueryParameters.renamed("cursor", renamedCursor, "after");
    OffsetDateTime fromTime = QueryParameters.time("from", from);
    OffsetDateTime toTime = QueryParameters.time("to", to);
    QueryParameters.ordered("from", fromTime, toTime);
    ApplicationScope scope = scope();
    EventFilter filter =
        new EventFilter(
            scope.allow(QueryParameters.text(application)),
            QueryParameters.text(runId),
            QueryParameters.text(commit),
            QueryParameters.text(type),
            QueryParameters.text(topic),
            QueryParameters.text(environment),
            QueryParameters.text(status),
            fromTime,
            toTime,
            scope.applications());
    boolean newestFirst = QueryParameters.newestFirst(order);
    int pageSize =
        QueryParameters.integer("limit", limit, DEFAULT_LIMIT, 1, AuditQueryService.MAX_LIMIT);
    Long after = QueryParameters.cursor(cursor);
    return queries
        .events(filter, newestFirst, after, pageSize)
        .map(page -> new Page<>(page.items(), QueryParameters.cursor(page.nextCursor())));
  }

  @GET
  @Path("/runs/{runId}")
  public Uni<RunTimeline> run(
      @PathParam("runId") String runId,
      @QueryParam("limit") String limit,
      @QueryParam("after") String cursor,
      @QueryParam("cursor") String renamedCursor) {
    QueryParameters.renamed("cursor", renamedCursor, "after");
    int pageSize =
        QueryParameters.integer(
            "limit", limit, DEFAULT_TIMELINE_LIMIT, 1, AuditQueryService.MAX_LIMIT);
    return queries
        .run(runId, scope().applications(), QueryParameters.cursor(cursor), pageSize)
        .map(
            found ->
                found.orElseThrow(
                    () -> new NotAuditedException("no event of run " + runId + " was audited")));
  }

  @GET
  @Path("/commits/{sha}")
  public Uni<CommitTimeline> commit(
      @PathParam("sha") String sha,
      @QueryParam("limit") String limit,
      @QueryParam("after") String cursor,
      @QueryParam("cursor") String renamedCursor) {
    QueryParameters.renamed("cursor", renamedCursor, "after");
    int pageSize =
        QueryParameters.integer(
            "limit", limit, DEFAULT_TIMELINE_LIMIT, 1, AuditQueryService.MAX_LIMIT);
    return queries
        .commit(sha, scope().applications(), QueryParameters.cursor(cursor), pageSize)
        .map(
            found ->
                found.orElseThrow(
                    () -> new NotAuditedException("no event of commit " + sha + " was audited")));
  }

  /** Blocking on purpose: it reads a chunk of the log, so it runs on a worker thread. */
  @GET
  @Path("/verify")
  @Blocking
  public VerificationReport verify(@QueryParam("from") String from, @QueryParam("to") String to) {
    Long fromSeq = QueryParameters.sequence("from", from);
    Long toSeq = QueryParameters.sequence("to", to);
    if (fromSeq != null && toSeq != null && fromSeq > toSeq) {
      throw new BadParameterException("from", "from must not be after to");
    }
    Map<String, String> query = new LinkedHashMap<>();
    if (fromSeq != null) {
      query.put("from", String.valueOf(fromSeq));
    }
    if (toSeq != null) {
      query.put("to", String.valueOf(toSeq));
    }
    reads.record("verify", caller(), identity.getRoles(), query);
    return verifier.verify(fromSeq, toSeq);
  }

  @GET
  @Path("/dora")
  public Uni<DoraMetrics> dora(
      @QueryParam("application") String application,
      @QueryParam("environment") String environment,
      @QueryParam("from") String from,
      @QueryParam("to") String to) {
    if (QueryParameters.text(environment) == null) {
      throw new BadParameterException(
          "environment", "environment is required, e.g. environment=prod");
    }
    OffsetDateTime toTime = QueryParameters.time("to", to);
    OffsetDateTime fromTime = QueryParameters.time("from", from);
    if (toTime == null) {
      toTime = OffsetDateTime.now(ZoneOffset.UTC);
    }
    if (fromTime == null) {
      fromTime = toTime.minus(DEFAULT_DORA_WINDOW);
    }
    QueryParameters.ordered("from", fromTime, toTime);
    ApplicationScope scope = scope();
    String app = scope.allow(QueryParameters.text(application));
    List<String> applications = app != null ? List.of(app) : scope.applications();
    return dora.metrics(app, applications, environment, fromTime, toTime);
  }

  private ApplicationScope scope() {
    return ApplicationScope.of(access);
  }

  private String caller() {
    return access.actor().user();
  }
}
