package dev.slipway.audit.service;

import dev.slipway.audit.AuditRecord;
import dev.slipway.audit.repository.AuditStoreWriter;
import dev.slipway.audit.repository.RecordsRefusedException;
import dev.slipway.audit.repository.StoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Stores records so that no record can stop the rest: a batch PostgreSQL refuses for what is in it
 * is split in halves until the refused record is alone, and that record is stored quarantined (raw,
 * with the reason) in its place, still in order and still chained. A failure that can pass (the
 * database is down) is left to the caller to retry.
 */
@ApplicationScoped
public class AuditIngestService {

  private static final Logger LOG = Logger.getLogger(AuditIngestService.class);
  private static final String UNIQUE_VIOLATION = "23505";

  /**
   * A record to store, and how to keep it raw if PostgreSQL refuses it.
   *
   * @param record the record as read
   * @param quarantine its quarantined form, given the reason
   */
  public record Pending(AuditRecord record, Function<String, AuditRecord> quarantine) {}

  /**
   * What storing a batch did.
   *
   * @param appended rows added
   * @param alreadyStored records redelivered or published again, not added
   * @param conflicts rows added whose CloudEvents identity an earlier, different row had
   * @param quarantined records PostgreSQL refused, stored raw instead
   */
  public record Outcome(int appended, int alreadyStored, int conflicts, int quarantined) {
    Outcome plus(Outcome other) {
      return new Outcome(
          appended + other.appended,
          alreadyStored + other.alreadyStored,
          conflicts + other.conflicts,
          quarantined + other.quarantined);
    }
  }

  private final AuditStoreWriter writer;

  public AuditIngestService(AuditStoreWriter writer) {
    this.writer = writer;
  }

  /**
   * Stores {@code batch} in order.
   *
   * @throws StoreUnavailableException when the database cannot take it now; retry the batch
   */
  public Outcome store(List<Pending> batch) {
    if (batch.isEmpty()) {
      return new Outcome(0, 0, 0, 0);
    }
    try {
      AuditStoreWriter.AppendResult result =
          writer.append(batch.stream().map(Pending::record).toList());
      return new Outcome(result.appended(), result.alreadyStored(), result.conflicts(), 0);
    } catch (RecordsRefusedException refused) {
      if (batch.size() == 1) {
        return storeRefused(batch.get(0), refused);
      }
      int half = batch.size() / 2;
      return store(batch.subList(0, half)).plus(store(batch.subList(half, batch.size())));
    }
  }

  private Outcome storeRefused(Pending pending, RecordsRefusedException refused) {
    AuditRecord record = pending.record();
    if (refused.getCause() instanceof SQLException sql
        && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
      // Its Kafka coordinates are stored already: a redelivery the watermark could not see.
      return new Outcome(0, 1, 0, 0);
    }
    LOG.warnf(
        "PostgreSQL refused the record %s/%s/%s, storing it quarantined: %s",
        record.topic(), record.partition(), record.offset(), refused.getMessage());
    try {
      AuditStoreWriter.AppendResult result =
          writer.append(
              List.of(
                  pending
                      .quarantine()
                      .apply("PostgreSQL refused the record: " + refused.getMessage())));
      return new Outcome(0, result.alreadyStored(), 0, result.appended());
    } catch (RecordsRefusedException again) {
      // Cannot happen for a raw row of bounded columns; retried (and alarmed) rather than lost.
      throw new StoreUnavailableException("even the quarantined form was refused", again);
    }
  }
}
