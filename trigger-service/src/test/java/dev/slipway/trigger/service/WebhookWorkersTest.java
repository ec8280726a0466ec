package dev.slipway.trigger.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.trigger.config.TriggerConfig;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook bulkheads: failures come back as they are, abandoned work is never started. */
class WebhookWorkersTest {

  private static final int LARGE = 2048;

  private final WebhookWorkers workers = new WebhookWorkers(config(1024, 1));

  @AfterEach
  void stop() {
    workers.stop(null);
  }

  @Test
  void aCheckedFailureOfTheWorkComesBackAsItself() {
    assertThatThrownBy(
            () ->
                workers
                    .run(
                        10,
                        () -> {
                          throw new IOException("signature does not match");
                        })
                    .await()
                    .atMost(Duration.ofSeconds(5)))
        .hasRootCauseInstanceOf(IOException.class)
        .hasRootCauseMessage("signature does not match");
  }

  @Test
  void workWaitingForItsTurnIsNeverRunOnceItsCallerWentAway() {
    CountDownLatch release = new CountDownLatch(1);
    workers
        .run(
            LARGE,
            () -> {
              release.await();
              return "first";
            })
        .subscribe()
        .with(item -> {}, failure -> {});
    AtomicBoolean ran = new AtomicBoolean();
    Cancellable abandoned =
        workers
            .run(
                LARGE,
                () -> {
                  ran.set(true);
                  return "abandoned";
                })
            .subscribe()
            .with(item -> {}, failure -> {});

    abandoned.cancel();
    release.countDown();

    // The large-body lane has one thread and runs in order: once this ran, the abandoned one's
    // turn has passed.
    assertThat(workers.run(LARGE, () -> "after").await().atMost(Duration.ofSeconds(5)))
        .isEqualTo("after");
    assertThat(ran).isFalse();
  }

  private static TriggerConfig config(int largeBodyBytes, int largeBodyThreads) {
    return (TriggerConfig)
        Proxy.newProxyInstance(
            TriggerConfig.class.getClassLoader(),
            new Class<?>[] {TriggerConfig.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "largeBodyBytes" -> largeBodyBytes;
                  case "largeBodyThreads" -> largeBodyThreads;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
