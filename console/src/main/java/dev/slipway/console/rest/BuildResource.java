package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel.Build;
import dev.slipway.console.client.ApiResult;
import dev.slipway.console.client.SlipwayClient;
import dev.slipway.console.session.Session;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

/** A build: steps, timings, tests, its log (followed live), cancel and retry. */
@Path("/builds/{id}")
@Blocking
public class BuildResource {

  /** The longest one log stream is relayed; the browser reconnects and resumes after it. */
  private static final Duration MAX_FOLLOW = Duration.ofMinutes(30);

  /** One thread per followed log, each waiting on build-service's stream. */
  private static final ExecutorService RELAYS =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "console-log-relay");
            thread.setDaemon(true);
            return thread;
          });

  /** The {@link CallHints} key prefix of a build's application. */
  private static final String BUILD_HINT = "build:";

  /** How many of the application's newest builds are searched for the run's other attempts. */
  private static final int ATTEMPTS_LISTED = 50;

  private final SlipwayClient client;
  private final CurrentSession current;
  private final Forms forms;
  private final CallHints hints;

  public BuildResource(SlipwayClient client, CurrentSession current, Forms forms, CallHints hints) {
    this.client = client;
    this.current = current;
    this.forms = forms;
    this.hints = hints;
  }

  @GET
  @Produces(MediaType.TEXT_HTML)
  public TemplateInstance build(@PathParam("id") String id) {
    PageContext page = PageContext.of("Build " + id, "apps", current);
    String token = current.require().token();
    CompletableFuture<ApiResult<Build>> build = client.build(id, token);
    CompletableFuture<ApiResult<String>> log = client.buildLog(id, token);
    // The run's other attempts are among its application's builds: asked at once when a page this
    // user saw named the build's application, else once the build says it.
    Optional<String> hinted = hints.get(token, BUILD_HINT + id, String.class);
    CompletableFuture<ApiResult<List<Build>>> early =
        hinted.map(application -> client.builds(application, ATTEMPTS_LISTED, token)).orElse(null);
    ApiResult<Build> found = build.join();
    if (!found.ok()) {
      return Pages.error(page, status(found), "Build " + id, found.problem().summary());
    }
    hintApplication(hints, token, found.value());
    ApiResult<String> text = log.join();
    page.note(text.problem());
    String lines = text.orElse("");
    long count = lines.chars().filter(c -> c == '\n').count();
    CompletableFuture<ApiResult<List<Build>>> builds =
        early != null && hinted.get().equals(found.value().application())
            ? early
            : client.builds(found.value().application(), ATTEMPTS_LISTED, token);
    List<Build> attempts =
        builds.join().orElse(List.of()).stream()
            .filter(b -> found.value().runId() != null && found.value().runId().equals(b.runId()))
            .toList();
    return Pages.build(page, found.value(), lines, count, attempts);
  }

  /** Notes which application {@code build} belongs to, for its page's next load by this user. */
  static void hintApplication(CallHints hints, String token, Build build) {
    if (build != null && build.id() != null && build.application() != null) {
      hints.put(token, BUILD_HINT + build.id(), build.application());
    }
  }

  /**
   * The log after line {@code after} (or the browser's {@code Last-Event-ID} on a reconnect) as
   * Server-Sent Events, relayed from build-service with the user's token: {@code log} events, then
   * one {@code outcome}.
   */
  @GET
  @Path("log/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void follow(
      @PathParam("id") String id,
      @QueryParam("after") Long after,
      @RestHeader("Last-Event-ID") String lastEventId,
      @Context SseEventSink sink,
      @Context Sse sse) {
    String token = current.require().token();
    long from = after == null ? 0 : Math.max(0, after);
    if (lastEventId != null && lastEventId.strip().matches("\\d{1,18}")) {
      from = Long.parseLong(lastEventId.strip());
    }
    long resumeAt = from;
    // The relay runs on a thread of its own: the method returns at once, so the sink's response
    // is started once, by RESTEasy, and the relay then owns the sink until it closes it.
    RELAYS.execute(() -> relay(id, resumeAt, token, sink, sse));
  }

  private void relay(String id, long from, String token, SseEventSink sink, Sse sse) {
    try (sink) {
      ApiResult<Void> relayed =
          client.followBuildLog(
              id,
              from,
              token,
              MAX_FOLLOW,
              event -> {
                var out = sse.newEventBuilder().name(event.name()).data(event.data());
                if (event.id() != null) {
                  out.id(event.id());
                }
                sink.send(out.build()).toCompletableFuture().join();
              },
              sink::isClosed);
      if (!relayed.ok() && !sink.isClosed()) {
        sink.send(sse.newEventBuilder().name("problem").data(relayed.problem().summary()).build())
            .toCompletableFuture()
            .join();
      }
    } catch (RuntimeException e) {
      // The browser went away while a line was sent: nothing is left to relay to.
    }
  }

  @POST
  @Path("cancel")
  public Response cancel(
      @PathParam("id") String id,
      @RestForm("_csrf") String csrf,
      @RestHeader("X-CSRF-Token") String csrfHeader) {
    Session session = current.require();
    forms.requireCsrf(session, csrf, csrfHeader);
    return forms.after(
        client.cancelBuild(id, session.token()).join(), "Cancel requested.", "/builds/" + id);
  }

  @POST
  @Path("retry")
  public Response retry(
      @PathParam("id") String id,
      @RestForm("_csrf") String csrf,
      @RestHeader("X-CSRF-Token") String csrfHeader) {
    Session session = current.require();
    forms.requireCsrf(session, csrf, csrfHeader);
    var result = client.retryBuild(id, session.token()).join();
    String next =
        result.ok() && result.value().hasNonNull("id")
            ? "/builds/" + result.value().get("id").asText()
            : "/builds/" + id;
    return forms.after(result, "A new attempt was queued.", next);
  }

  static int status(ApiResult<?> result) {
    int status = result.problem().status();
    return status == 0 ? 502 : status;
  }
}
