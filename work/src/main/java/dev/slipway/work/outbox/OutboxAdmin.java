package dev.slipway.work.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.AdminAction;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.problem.NotFoundException;
import dev.slipway.problem.Page;
import dev.slipway.work.db.Transactions;
import dev.slipway.work.db.Tx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * What an operator may do with parked outbox rows: list them, put one back to be published again,
 * or drop one. Each change and its {@code admin.action} event (through this same outbox, so the
 * audit store gets it) are written in one transaction: no change goes unaudited.
 */
@ApplicationScoped
public class OutboxAdmin {

  private static final Logger LOG = Logger.getLogger(OutboxAdmin.class);

  private final Transactions transactions;
  private final OutboxStore store;
  private final Outbox outbox;
  private final String service;

  @Inject
  public OutboxAdmin(
      Transactions transactions,
      OutboxStore store,
      Outbox outbox,
      @ConfigProperty(name = "quarkus.application.name") String service) {
    this.transactions = transactions;
    this.store = store;
    this.outbox = outbox;
    this.service = service;
  }

  /** Parked rows after row {@code after} (null: from the first), oldest first. */
  public Uni<Page<ParkedEvent>> parked(Long after, int limit) {
    return store
        .parked(after, limit)
        .map(
            rows ->
                Page.of(
                    rows.stream().map(ParkedEvent::of).toList(),
                    limit,
                    row -> Long.toString(row.id())));
  }

  /** Puts parked row {@code id} back in line, at its place; {@code actor} asked for it. */
  public Uni<ParkedEvent> retry(long id, String actor) {
    return transactions
        .run(
            tx ->
                locked(tx, id)
                    .call(row -> store.unpark(tx, id))
                    .call(row -> audit(tx, row, AdminAction.Action.OUTBOX_RETRY, actor))
                    .map(ParkedEvent::of))
        .invoke(row -> LOG.infof("%s put parked outbox row %d back in line", actor, id));
  }

  /** Deletes parked row {@code id} without publishing it; {@code actor} asked for it. */
  public Uni<ParkedEvent> drop(long id, String actor) {
    return transactions
        .run(
            tx ->
                locked(tx, id)
                    .call(row -> store.delete(tx, id))
                    .call(row -> audit(tx, row, AdminAction.Action.OUTBOX_DROP, actor))
                    .map(ParkedEvent::of))
        .invoke(row -> LOG.infof("%s dropped parked outbox row %d", actor, id));
  }

  private Uni<OutboxStore.Parked> locked(Tx tx, long id) {
    return store
        .lockParked(tx, id)
        .map(
            row ->
                row.orElseThrow(
                    () -> new NotFoundException("There is no parked outbox row " + id + ".")));
  }

  private Uni<Void> audit(Tx tx, OutboxStore.Parked row, AdminAction.Action action, String actor) {
    return outbox.add(tx, List.of(OutboxEvent.of(event(row, action, actor))));
  }

  /**
   * The {@code admin.action} of {@code action} on {@code row}: about the application of the row's
   * event, in its run and caused by it; its id derived from the row's parking, so the same request
   * repeated makes the same event.
   */
  Envelope<AdminAction> event(OutboxStore.Parked row, AdminAction.Action action, String actor) {
    JsonNode parked = readQuietly(row.event());
    String runId = text(parked, EventJson.RUN_ID);
    return new Envelope<>(
        Envelope.derivedId(
            "admin.action", service, action.name(), row.eventId(), String.valueOf(row.parkedAt())),
        "/slipway/" + service,
        EventType.ADMIN_ACTION.ceType(),
        OffsetDateTime.now(ZoneOffset.UTC),
        row.application(),
        runId != null ? runId : Envelope.derivedId("run", row.eventId()),
        row.eventId(),
        text(parked, EventJson.COMMIT_SHA),
        new AdminAction(
            service,
            action,
            actor,
            row.eventId(),
            row.topic(),
            "parked " + row.parkedAt() + ": " + row.reason()));
  }

  private static JsonNode readQuietly(String event) {
    try {
      return EventJson.mapper().readTree(event.getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() && !value.textValue().isBlank()
        ? value.textValue()
        : null;
  }
}
