package dev.slipway.audit.rest;

import dev.slipway.audit.service.AuditChainVerifier;
import dev.slipway.audit.service.AuditQueryService;
import dev.slipway.audit.service.ChainReport;
import dev.slipway.audit.service.CommitTimeline;
import dev.slipway.audit.service.DoraMetrics;
import dev.slipway.audit.service.DoraService;
import dev.slipway.audit.service.EventFilter;
import dev.slipway.audit.service.RunTimeline;
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

/** Read access to the audit store: events, run and commit timelines, chain checks, DORA. */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({AuditResource.VIEWER, AuditResource.AUDITOR})
public class AuditResource {

  static final String VIEWER = "viewer";
  static final String AUDITOR = "auditor";

  private static final int DEFAULT_LIMIT = 100;
  private static final Duration DEFAULT_DORA_WINDOW = Duration.ofDays(30);

  private final AuditQueryService queries;
  private final AuditChainVerifier verifier;
  private final DoraService dora;

  public AuditResource(AuditQueryService queries, AuditChainVerifier verifier, DoraService dora) {
    this.queries = queries;
    this.verifier = verifier;
    this.dora = dora;
  }

  @GET
  @Path("/events")
  public Uni<EventsPage> events(
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
      @QueryParam("cursor") String cursor) {
    OffsetDateTime fromTime = QueryParameters.time("from", from);
    OffsetDateTime toTime = QueryParameters.time("to", to);
    QueryParameters.ordered("from", fromTime, toTime);
    EventFilter filter =
        new EventFilter(
            QueryParameters.text(application),
            QueryParameters.text(runId),
            QueryParameters.text(commit),
            QueryParameters.text(type),
            QueryParameters.text(topic),
            QueryParameters.text(environment),
            QueryParameters.text(status),
            fromTime,
            toTime);
    boolean newestFirst = QueryParameters.newestFirst(order);
    int pageSize =
        QueryParameters.integer("limit", limit, DEFAULT_LIMIT, 1, AuditQueryService.MAX_LIMIT);
    Long after = QueryParameters.cursor(cursor);
    return queries
        .events(filter, newestFirst, after, pageSize)
        .map(page -> new EventsPage(page.items(), QueryParameters.cursor(page.nextCursor())));
  }

  @GET
  @Path("/runs/{runId}")
  public Uni<RunTimeline> run(@PathParam("runId") String runId) {
    return queries
        .run(runId)
        .map(
            found ->
                found.orElseThrow(
                    () -> new NotAuditedException("no event of run " + runId + " was audited")));
  }

  @GET
  @Path("/commits/{sha}")
  public Uni<CommitTimeline> commit(@PathParam("sha") String sha) {
    return queries
        .commit(sha)
        .map(
            found ->
                found.orElseThrow(
                    () -> new NotAuditedException("no event of commit " + sha + " was audited")));
  }

  /** Blocking on purpose: it reads the whole range, so it runs on a worker thread. */
  @GET
  @Path("/verify")
  public ChainReport verify(@QueryParam("from") String from, @QueryParam("to") String to) {
    Long fromSeq = QueryParameters.sequence("from", from);
    Long toSeq = QueryParameters.sequence("to", to);
    if (fromSeq != null && toSeq != null && fromSeq > toSeq) {
      throw new BadParameterException("from", "from must not be after to");
    }
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
    return dora.metrics(QueryParameters.text(application), environment, fromTime, toTime);
  }
}
