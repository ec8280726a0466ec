package dev.slipway.build.service;

import dev.slipway.build.BuildStatus;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.repository.BuildLogRepository;
import dev.slipway.build.repository.BuildLogRepository.Line;
import dev.slipway.build.repository.BuildQueries;
import dev.slipway.events.EventJson;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a build's log from the database, where every instance writes it: as one text, or followed
 * live as Server-Sent Events ({@code log} events numbered by line, so a client resumes with {@code
 * Last-Event-ID}, then one {@code outcome} event once the build ended and every line was sent).
 * Followers are capped per build and per instance ({@code slipway.build.followers.*}): each one
 * polls the database, so their number is what a crowd (or a script) could use to load it.
 */
@ApplicationScoped
public class LogFollower {

  private static final int PAGE = 2000;
  private static final Duration POLL = Duration.ofMillis(250);

  private final BuildLogRepository logs;
  private final BuildQueries builds;
  private final BuildConfig.Followers limits;
  private final Map<String, AtomicInteger> perBuild = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  public LogFollower(BuildLogRepository logs, BuildQueries builds, BuildConfig config) {
    this.logs = logs;
    this.builds = builds;
    this.limits = config.followers();
  }

  /** The whole log so far, one line per line. */
  public Uni<String> text(String buildId) {
    return Multi.createBy()
        .repeating()
        .uni(
            () -> new long[] {0},
            cursor ->
                logs.read(buildId, cursor[0], PAGE)
                    .invoke(
                        lines -> {
                          if (!lines.isEmpty()) {
                            cursor[0] = lines.get(lines.size() - 1).seq();
                          }
                        }))
        .whilst(lines -> lines.size() == PAGE)
        .collect()
        .in(
            StringBuilder::new,
            (text, lines) -> lines.forEach(l -> text.append(l.line()).append('\n')))
        .map(StringBuilder::toString);
  }

  /**
   * Streams the log after line {@code afterSeq} to {@code sink} until the build ended; refused with
   * 429 when the build or this instance has as many followers as allowed.
   */
  public void follow(String buildId, long afterSeq, SseEventSink sink, Sse sse) {
    AtomicInteger ofBuild = perBuild.computeIfAbsent(buildId, id -> new AtomicInteger());
    if (ofBuild.incrementAndGet() > limits.perBuild()) {
      release(buildId, ofBuild, false);
      throw new TooManyFollowersException(
          "Build "
              + buildId
              + " has "
              + limits.perBuild()
              + " followers already (slipway.build.followers.per-build); try again later.");
    }
    if (total.incrementAndGet() > limits.perInstance()) {
      release(buildId, ofBuild, true);
      throw new TooManyFollowersException(
          "This instance serves "
              + limits.perInstance()
              + " log followers already (slipway.build.followers.per-instance); try again later.");
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable done =
        () -> {
          if (released.compareAndSet(false, true)) {
            release(buildId, ofBuild, true);
          }
        };
    long[] cursor = {afterSeq};
    Cancellable[] subscription = new Cancellable[1];
    subscription[0] =
        Multi.createBy()
            .repeating()
            .uni(() -> poll(buildId, cursor))
            .withDelay(POLL)
            .whilst(batch -> !batch.ended())
            .onItem()
            .transformToUniAndConcatenate(batch -> send(batch, sink, sse, buildId))
            .onTermination()
            .invoke(done)
            .subscribe()
            .with(
                sent -> {
                  if (sink.isClosed() && subscription[0] != null) {
                    subscription[0].cancel();
                  }
                },
                failure -> sink.close(),
                sink::close);
  }

  private void release(String buildId, AtomicInteger ofBuild, boolean counted) {
    if (counted) {
      total.decrementAndGet();
    }
    if (ofBuild.decrementAndGet() <= 0) {
      perBuild.remove(buildId, ofBuild);
    }
  }

  /** Followers being served now, of all builds. */
  public int followers() {
    return total.get();
  }

  private Uni<Batch> poll(String buildId, long[] cursor) {
    // Status first: once it says ended, every line is already stored (the log is flushed before
    // the outcome is recorded), so reading after it misses nothing.
    return builds
        .status(buildId)
        .flatMap(
            status ->
                logs.read(buildId, cursor[0], PAGE)
                    .map(
                        lines -> {
                          if (!lines.isEmpty()) {
                            cursor[0] = lines.get(lines.size() - 1).seq();
                          }
                          boolean ended =
                              status.map(BuildStatus::isFinal).orElse(true) && lines.size() < PAGE;
                          return new Batch(
                              lines,
                              ended
                                  ? Optional.of(status.orElse(BuildStatus.CANCELLED))
                                  : Optional.empty());
                        }));
  }

  private Uni<Void> send(Batch batch, SseEventSink sink, Sse sse, String buildId) {
    if (sink.isClosed()) {
      return Uni.createFrom().voidItem();
    }
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Line line : batch.lines()) {
      chain =
          chain.flatMap(
              ignored ->
                  Uni.createFrom()
                      .completionStage(
                          sink.send(
                              sse.newEventBuilder()
                                  .name("log")
                                  .id(Long.toString(line.seq()))
                                  .data(line.line())
                                  .build()))
                      .replaceWithVoid());
    }
    if (!batch.ended()) {
      return chain;
    }
    return chain
        .flatMap(ignored -> builds.find(buildId))
        .flatMap(
            build -> {
              Map<String, Object> outcome = new LinkedHashMap<>();
              build.ifPresent(
                  b -> {
                    outcome.put("status", b.status());
                    if (b.failure() != null) {
                      outcome.put("step", b.failure().step());
                      outcome.put("exitCode", b.failure().exitCode());
                      outcome.put("reason", b.failure().reason());
                    }
                    if (b.image() != null) {
                      outcome.put("image", b.image().pinned());
                    }
                    outcome.put("durationMs", b.durationMs());
                  });
              String json;
              try {
                json = EventJson.mapper().writeValueAsString(outcome);
              } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                json = "{}";
              }
              return Uni.createFrom()
                  .completionStage(
                      sink.send(
                          sse.newEventBuilder()
                              .name("outcome")
                              // Already JSON text: sent as is, without a content-type field that
                              // SSE does not define and a client would only skip.
                              .data(json)
                              .build()))
                  .replaceWithVoid();
            });
  }

  /** Lines read in one poll, and the status once the build ended and nothing is left to read. */
  private record Batch(List<Line> lines, Optional<BuildStatus> outcome) {
    boolean ended() {
      return outcome.isPresent();
    }
  }
}
