package dev.slipway.audit.messaging;

import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.repository.AuditEventRepository;
import dev.slipway.audit.service.AuditRecordReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Writes every record of every Slipway topic and dead-letter topic to the audit store, a polled
 * batch at a time. The batch is acknowledged (its offsets become committable) only once its
 * transaction committed; if the database refuses it, the same batch is retried with back-off, so
 * nothing is skipped and nothing is written twice.
 */
@ApplicationScoped
public class AuditIngestConsumer {

  static final String CHANNEL = "audit-in";

  private static final Logger LOG = Logger.getLogger(AuditIngestConsumer.class);

  private final AuditEventRepository repository;
  private final AuditConfig config;
  private final IngestStatus status;
  private final Counter appended;
  private final Counter repeated;
  private final Counter malformed;

  public AuditIngestConsumer(
      AuditEventRepository repository,
      AuditConfig config,
      IngestStatus status,
      MeterRegistry registry) {
    this.repository = repository;
    this.config = config;
    this.status = status;
    this.appended = registry.counter("slipway.audit.records", "outcome", "appended");
    this.repeated = registry.counter("slipway.audit.records", "outcome", "already-audited");
    this.malformed = registry.counter("slipway.audit.records.malformed");
  }

  @Incoming(CHANNEL)
  @Blocking
  public void ingest(ConsumerRecords<byte[], byte[]> records) {
    List<AuditRecord> batch = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> record : records) {
      AuditRecord audited = AuditRecordReader.read(record);
      if (audited.problem() != null) {
        malformed.increment();
        LOG.warnf(
            "audited malformed record %s/%d/%d (run %s): %s",
            audited.topic(),
            audited.partition(),
            audited.offset(),
            audited.runId(),
            audited.problem());
      }
      batch.add(audited);
    }
    int added =
        repository
            .append(batch)
            .onFailure()
            .invoke(
                failure -> {
                  status.failed(failure);
                  LOG.warnf(
                      "cannot write a batch of %d records, retrying: %s",
                      batch.size(), failure.getMessage());
                })
            .onFailure()
            .retry()
            .withBackOff(Duration.ofMillis(200), config.maxRetryBackoff())
            .indefinitely()
            .await()
            .indefinitely();
    status.written();
    appended.increment(added);
    repeated.increment(batch.size() - added);
    LOG.debugf("audited %d records, %d were already audited", added, batch.size() - added);
  }
}
