package dev.slipway.build.rest;

import dev.slipway.build.Build;
import dev.slipway.build.BuildStatus;
import dev.slipway.build.image.SbomPublisher;
import dev.slipway.build.repository.BuildQueries;
import dev.slipway.build.repository.BuildQueue.RetryResult;
import dev.slipway.build.service.BuildCommands;
import dev.slipway.build.service.LogFollower;
import dev.slipway.problem.Page;
import dev.slipway.problem.PageLimit;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Builds: list, one with its steps, its log (text or live), its SBOM; cancel and retry. */
@Path("/api/builds")
@Produces(MediaType.APPLICATION_JSON)
public class BuildResource {

  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_PAGE = 500;

  private static final String[] READERS = {"viewer", "deployer", "approver", "auditor", "admin"};

  private static final Set<String> OPERATORS = Set.of(Roles.DEPLOYER, Roles.ADMIN);

  private final BuildQueries builds;
  private final BuildCommands commands;
  private final LogFollower logs;
  private final Access access;

  public BuildResource(
      BuildQueries builds, BuildCommands commands, LogFollower logs, Access access) {
    this.builds = builds;
    this.commands = commands;
    this.logs = logs;
    this.access = access;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Page<Build>> list(
      @QueryParam("application") String application,
      @QueryParam("status") String status,
      @QueryParam("after") String after,
      @QueryParam("limit") String limitParam) {
    int limit = PageLimit.parse(limitParam, DEFAULT_PAGE, MAX_PAGE);
    BuildStatus wanted = status == null ? null : parseStatus(status);
    Cursor cursor = after == null ? null : Cursor.parse(after);
    List<String> applications = access.listScope(Roles.READ, application).orElse(null);
    return builds
        .page(
            applications,
            wanted,
            cursor == null ? null : cursor.queuedAt(),
            cursor == null ? null : cursor.id(),
            limit)
        .map(page -> Page.of(page, limit, build -> Cursor.of(build).encode()));
  }

  @GET
  @Path("{id}")
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Build> one(@PathParam("id") String id) {
    return inScope(id, Roles.READ);
  }

  @GET
  @Path("{id}/log")
  @Produces(MediaType.TEXT_PLAIN)
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<String> log(@PathParam("id") String id) {
    return inScope(id, Roles.READ).flatMap(build -> logs.text(id));
  }

  /** The log as Server-Sent Events: {@code log} events while it runs, then one {@code outcome}. */
  @GET
  @Path("{id}/log/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public void follow(
      @PathParam("id") String id,
      @HeaderParam("Last-Event-ID") String lastEventId,
      @Context SseEventSink sink,
      @Context Sse sse) {
    inScope(id, Roles.READ).await().indefinitely();
    long after = 0;
    if (lastEventId != null) {
      try {
        after = Long.parseLong(lastEventId.strip());
      } catch (NumberFormatException e) {
        throw BuildRequestException.invalid(
            "Last-Event-ID", "Last-Event-ID must be a line number.");
      }
    }
    logs.follow(id, after, sink, sse);
  }

  @GET
  @Path("{id}/sbom")
  @Produces(SbomPublisher.CYCLONEDX_JSON)
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Response> sbom(@PathParam("id") String id) {
    return inScope(id, Roles.READ)
        .flatMap(build -> builds.sbom(id))
        .flatMap(
            sbom ->
                sbom.isPresent()
                    ? Uni.createFrom()
                        .item(Response.ok(sbom.get()).type(SbomPublisher.CYCLONEDX_JSON).build())
                    : builds
                        .status(id)
                        .map(
                            status -> {
                              throw status.isEmpty()
                                  ? BuildRequestException.unknownBuild(id)
                                  : BuildRequestException.notFound(
                                      "Build "
                                          + id
                                          + " has no SBOM: it is "
                                          + status.get()
                                          + "; only a successful build has one.");
                            }));
  }

  @POST
  @Path("{id}/cancel")
  @RolesAllowed({"deployer", "admin"})
  public Uni<Response> cancel(@PathParam("id") String id) {
    String user = access.actor().user();
    return inScope(id, OPERATORS)
        .flatMap(build -> commands.cancel(id, user))
        .flatMap(
            previous -> {
              if (previous.isEmpty()) {
                throw BuildRequestException.unknownBuild(id);
              }
              if (previous.get().isFinal()) {
                throw BuildRequestException.conflict(
                    "Build " + id + " already ended " + previous.get() + ".");
              }
              return builds.find(id).map(b -> Response.accepted(b.orElseThrow()).build());
            });
  }

  @POST
  @Path("{id}/retry")
  @RolesAllowed({"deployer", "admin"})
  public Uni<Response> retry(@PathParam("id") String id) {
    String user = access.actor().user();
    return inScope(id, OPERATORS)
        .flatMap(build -> commands.retry(id, user))
        .flatMap(
            result -> {
              if (result instanceof RetryResult.Unknown) {
                throw BuildRequestException.unknownBuild(id);
              }
              if (result instanceof RetryResult.Busy busy) {
                throw BuildRequestException.conflict(
                    "The run's latest attempt "
                        + busy.latestBuildId()
                        + " has not ended ("
                        + busy.status()
                        + "); cancel it or wait.");
              }
              String queued = ((RetryResult.Queued) result).buildId();
              return builds
                  .find(queued)
                  .map(
                      b ->
                          Response.created(java.net.URI.create("/api/builds/" + queued))
                              .entity(b.orElseThrow())
                              .build());
            });
  }

  private static BuildStatus parseStatus(String status) {
    try {
      return BuildStatus.valueOf(status.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw BuildRequestException.invalid(
          "status", "status must be one of " + List.of(BuildStatus.values()) + ".");
    }
  }

  /** A keyset position: the queue time and id of the last build of a page. */
  record Cursor(OffsetDateTime queuedAt, String id) {

    static Cursor of(Build build) {
      return new Cursor(build.queuedAt(), build.id());
    }

    String encode() {
      long micros = ChronoUnit.MICROS.between(Instant.EPOCH, queuedAt.toInstant());
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((micros + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor parse(String text) {
      try {
        String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int bar = decoded.indexOf('|');
        long micros = Long.parseLong(decoded.substring(0, bar));
        Instant instant = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
        return new Cursor(instant.atOffset(ZoneOffset.UTC), decoded.substring(bar + 1));
      } catch (RuntimeException e) {
        throw BuildRequestException.invalid("after", "after must be the next cursor of a page.");
      }
    }
  }

  /**
   * Build {@code id} if the caller holds one of {@code roles} for its application; else 404/403.
   */
  private Uni<Build> inScope(String id, Set<String> roles) {
    return builds
        .find(id)
        .map(found -> found.orElseThrow(() -> BuildRequestException.unknownBuild(id)))
        .invoke(build -> access.require(roles, build.application()));
  }
}
