package dev.slipway.audit.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions have a batch that cannot be written now, and why; for each consumer's health.
 */
@ApplicationScoped
public class IngestStatus {

  /**
   * The failure of a batch that is still being retried.
   *
   * @param since when the batch first failed
   * @param cause the last error
   */
  public record Failing(Instant since, String cause) {}

  private final Map<TopicPartition, Failing> failing = new ConcurrentHashMap<>();

  void failed(Collection<TopicPartition> partitions, Throwable cause) {
    for (TopicPartition partition : partitions) {
      failing.compute(
          partition,
          (p, current) ->
              new Failing(
                  current == null ? Instant.now() : current.since(), String.valueOf(cause)));
    }
  }

  void written(Collection<TopicPartition> partitions) {
    partitions.forEach(failing::remove);
  }

  /** The failure being retried for {@code partition}, or null. */
  public Failing failing(TopicPartition partition) {
    return failing.get(partition);
  }
}
