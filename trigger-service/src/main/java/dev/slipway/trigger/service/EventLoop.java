package dev.slipway.trigger.service;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/**
 * Keeps CPU work (HMAC over megabytes, JSON parsing, encryption) off the Vert.x event loop that
 * serves every other request, and brings results back to the context a request started on, where
 * the reactive database clients expect to be called.
 */
public final class EventLoop {

  private EventLoop() {}

  /**
   * Runs {@code work} on a worker thread (unordered, so requests do not queue behind each other)
   * and emits its result on the calling Vert.x context; without one, runs it in place.
   */
  public static <T> Uni<T> offload(Callable<T> work) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return Uni.createFrom().item(() -> call(work));
    }
    return Uni.createFrom()
        .emitter(
            emitter ->
                context
                    .<T>executeBlocking(work::call, false)
                    .onComplete(
                        result -> {
                          if (result.succeeded()) {
                            emitter.complete(result.result());
                          } else {
                            emitter.fail(result.cause());
                          }
                        }));
  }

  /** An executor that runs tasks on the calling thread's Vert.x context, or in place. */
  public static Executor current() {
    Context context = Vertx.currentContext();
    return context == null ? Runnable::run : task -> context.runOnContext(ignored -> task.run());
  }

  private static <T> T call(Callable<T> work) {
    try {
      return work.call();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
