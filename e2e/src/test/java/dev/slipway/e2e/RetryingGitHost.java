package dev.slipway.e2e;

import dev.slipway.e2e.ChaosApplications.Push;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.launcher.demo.PlatformClient.Answer;
import dev.slipway.launcher.demo.PlatformClient.PlatformException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Git host delivering pushes at a steady pace and redelivering one that was not answered with a
 * 2xx (refused connection, timeout, 5xx) with the same delivery id and body, as GitHub's
 * "redeliver" does, until trigger-service accepts it. A push is accepted once trigger-service
 * answers 202 (or 200 for a delivery it already holds) with the run id.
 */
final class RetryingGitHost implements AutoCloseable {

  private static final Duration RETRY_AFTER = Duration.ofMillis(250);

  private final PlatformClient client;
  private final ExecutorService senders = Executors.newFixedThreadPool(8);
  private final Map<Push, String> runs = new ConcurrentHashMap<>();
  private final Map<Push, String> refused = new ConcurrentHashMap<>();
  private final AtomicInteger redeliveries = new AtomicInteger();

  RetryingGitHost(PlatformClient client) {
    this.client = client;
  }

  /** Sends {@code pushes}, one every {@code pace}; returns once all are sent (not accepted). */
  void deliver(List<Push> pushes, Duration pace, Duration giveUpAfter) throws InterruptedException {
    Instant deadline = Instant.now().plus(giveUpAfter);
    for (Push push : pushes) {
      senders.execute(() -> deliverUntilAccepted(push, deadline));
      Thread.sleep(pace.toMillis());
    }
  }

  /** Waits until every push sent is accepted or refused for good, or the time is up. */
  boolean awaitAnswers(Duration timeout) throws InterruptedException {
    senders.shutdown();
    return senders.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Each accepted push's run id. */
  Map<Push, String> runs() {
    return runs;
  }

  /** Pushes answered with a 4xx, with the answer: none are expected. */
  Map<Push, String> refused() {
    return refused;
  }

  /** How many deliveries had to be sent again. */
  int redeliveries() {
    return redeliveries.get();
  }

  private void deliverUntilAccepted(Push push, Instant deadline) {
    String url = client.endpoints().trigger() + "/webhooks/github/" + push.application();
    while (Instant.now().isBefore(deadline)) {
      try {
        Answer answer = client.postRaw(url, push.headers(), push.body());
        if (answer.status() == 202 || answer.status() == 200) {
          runs.put(push, answer.json().path("runId").asText());
          return;
        }
        if (answer.status() >= 400 && answer.status() < 500 && answer.status() != 429) {
          refused.put(push, answer.status() + " " + answer.body());
          return;
        }
      } catch (PlatformException e) {
        // trigger-service is down or did not answer: the host redelivers
      }
      redeliveries.incrementAndGet();
      try {
        Thread.sleep(RETRY_AFTER.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    senders.shutdownNow();
  }
}
