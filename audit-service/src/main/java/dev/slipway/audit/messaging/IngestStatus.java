package dev.slipway.audit.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/** Whether the last attempt to write a batch to the audit store failed, and why. */
@ApplicationScoped
public class IngestStatus {

  /**
   * The failure of a batch that is still being retried.
   *
   * @param since when the batch first failed
   * @param cause the last error
   */
  public record Failing(Instant since, String cause) {}

  private final AtomicReference<Failing> failing = new AtomicReference<>();

  void failed(Throwable cause) {
    failing.updateAndGet(
        current ->
            new Failing(current == null ? Instant.now() : current.since(), String.valueOf(cause)));
  }

  void written() {
    failing.set(null);
  }

  /** The failure being retried, or null when the last batch was written. */
  public Failing failing() {
    return failing.get();
  }
}
