package dev.slipway.audit.messaging;

import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.audit.repository.AuditStoreWriter.PartitionKey;
import dev.slipway.audit.service.AuditIngestService;
import dev.slipway.audit.service.AuditIngestService.Outcome;
import dev.slipway.audit.service.AuditIngestService.Pending;
import dev.slipway.audit.service.AuditRecordReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Writes every record of every Slipway topic and dead-letter topic to the audit log, a polled batch
 * at a time. The batch is acknowledged (its offsets become committable) only once its transaction
 * committed. A failure that can pass (the database or the cluster is unreachable) is retried with
 * back-off, holding the partitions, so nothing is skipped; a record that can never be stored as an
 * event is stored quarantined instead, so no record can hold the partition up.
 */
@ApplicationScoped
public class AuditIngestConsumer {

  static final String CHANNEL = "audit-in";

  private static final Logger LOG = Logger.getLogger(AuditIngestConsumer.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private final AuditIngestService ingest;
  private final AuditStoreWriter writer;
  private final KafkaTopicIds topicIds;
  private final AuditConfig config;
  private final IngestStatus status;
  private final Counter appended;
  private final Counter repeated;
  private final Counter conflicts;
  private final Counter quarantined;
  private final Counter malformed;

  public AuditIngestConsumer(
      AuditIngestService ingest,
      AuditStoreWriter writer,
      KafkaTopicIds topicIds,
      AuditConfig config,
      IngestStatus status,
      MeterRegistry registry) {
    this.ingest = ingest;
    this.writer = writer;
    this.topicIds = topicIds;
    this.config = config;
    this.status = status;
    this.appended = registry.counter("slipway.audit.records", "outcome", "appended");
    this.repeated = registry.counter("slipway.audit.records", "outcome", "already-audited");
    this.conflicts = registry.counter("slipway.audit.records", "outcome", "id-conflict");
    this.quarantined = registry.counter("slipway.audit.records", "outcome", "quarantined");
    this.malformed = registry.counter("slipway.audit.records.malformed");
  }

  @Incoming(CHANNEL)
  @Blocking
  public void ingest(ConsumerRecords<byte[], byte[]> records) {
    Set<TopicPartition> partitions = records.partitions();
    Duration backoff = FIRST_BACKOFF;
    while (true) {
      try {
        Outcome outcome = ingest.store(pending(records));
        status.written(partitions);
        appended.increment(outcome.appended());
        repeated.increment(outcome.alreadyStored());
        conflicts.increment(outcome.conflicts());
        quarantined.increment(outcome.quarantined());
        LOG.debugf("audited %d records: %s", records.count(), outcome);
        return;
      } catch (RuntimeException e) {
        // The database or the cluster cannot be reached, or the stored tree cannot be read:
        // all can pass, and skipping the batch would lose it. Records themselves never fail here.
        status.failed(partitions, e);
        LOG.warnf(
            "cannot write a batch of %d records, retrying in %s: %s",
            records.count(), backoff, e.getMessage());
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while a batch waits to be written", e);
        }
        backoff = backoff.multipliedBy(2);
        if (backoff.compareTo(config.ingest().maxRetryBackoff()) > 0) {
          backoff = config.ingest().maxRetryBackoff();
        }
      }
    }
  }

  /**
   * The batch read for the store, each record attributed to its topic's current id. When a record
   * is at or below what is stored for its partition it looks like a redelivery; the topic's id is
   * then asked of the cluster again, since a recreated topic reuses offsets.
   */
  private List<Pending> pending(ConsumerRecords<byte[], byte[]> records) {
    Set<String> topics = new LinkedHashSet<>();
    records.partitions().forEach(p -> topics.add(p.topic()));
    Map<String, String> ids = topicIds.idsOf(topics);
    Set<PartitionKey> keys = new HashSet<>();
    for (TopicPartition p : records.partitions()) {
      if (ids.get(p.topic()) != null) {
        keys.add(new PartitionKey(ids.get(p.topic()), p.partition()));
      }
    }
    Map<PartitionKey, Long> marks = writer.watermarks(keys);
    Set<String> suspect = new LinkedHashSet<>();
    for (TopicPartition p : records.partitions()) {
      Long mark = marks.get(new PartitionKey(ids.get(p.topic()), p.partition()));
      List<ConsumerRecord<byte[], byte[]>> ofPartition = records.records(p);
      if (mark != null && !ofPartition.isEmpty() && ofPartition.get(0).offset() <= mark) {
        suspect.add(p.topic());
      }
    }
    if (!suspect.isEmpty()) {
      ids.putAll(topicIds.refresh(suspect));
    }
    List<Pending> batch = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      String topicId = ids.get(record.topic());
      AuditRecord audited = AuditRecordReader.read(record, topicId);
      if (audited.problem() != null) {
        malformed.increment();
        LOG.warnf(
            "audited %s record %s/%d/%d (run %s): %s",
            audited.quarantined() ? "a quarantined" : "a malformed",
            audited.topic(),
            record.partition(),
            record.offset(),
            audited.runId(),
            audited.problem());
      }
      batch.add(
          new Pending(audited, reason -> AuditRecordReader.quarantine(record, topicId, reason)));
    }
    return batch;
  }
}
