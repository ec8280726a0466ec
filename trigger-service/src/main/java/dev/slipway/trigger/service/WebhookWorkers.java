package dev.slipway.trigger.service;

import dev.slipway.trigger.config.TriggerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the CPU work of a webhook (HMAC over the body, JSON parsing, building the events) runs: off
 * the event loop, and off Quarkus' shared worker pool, in two bulkheads. Bodies up to {@code
 * large-body-bytes} (every normal push) go to a pool of one thread per core; larger ones to a pool
 * of {@code large-body-threads} (one), so a flood of megabyte bodies, forged or not, can occupy at
 * most that many cores and never delays normal pushes, health checks or the API.
 */
@ApplicationScoped
public class WebhookWorkers {

  private final int largeBodyBytes;
  private final ExecutorService normal;
  private final ExecutorService large;

  public WebhookWorkers(TriggerConfig config) {
    this.largeBodyBytes = config.largeBodyBytes();
    this.normal =
        Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), named("webhook-cpu"));
    this.large = Executors.newFixedThreadPool(config.largeBodyThreads(), named("webhook-large"));
  }

  void stop(@Observes ShutdownEvent stopping) {
    normal.shutdownNow();
    large.shutdownNow();
  }

  /**
   * Runs {@code work} for a body of {@code bodyBytes} in its bulkhead and emits the result on the
   * caller's Vert.x context.
   */
  public <T> Uni<T> run(int bodyBytes, Callable<T> work) {
    Executor back = EventLoop.current();
    ExecutorService lane = bodyBytes > largeBodyBytes ? large : normal;
    // A caller that goes away cancels the future: work still waiting for its turn is then never
    // run, and an outcome that arrives after the cancel reaches nobody (and is not logged as a
    // dropped failure).
    return Uni.createFrom()
        .completionStage(() -> CompletableFuture.supplyAsync(() -> call(work), lane))
        .emitOn(back);
  }

  private static <T> T call(Callable<T> work) {
    try {
      return work.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
