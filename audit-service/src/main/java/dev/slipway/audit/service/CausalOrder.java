package dev.slipway.audit.service;

import dev.slipway.audit.AuditEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Orders the events of one run so that every event comes after the event that caused it; events
 * that are free to go next go in event time order, then in chain order.
 */
public final class CausalOrder {

  private static final Comparator<AuditEvent> CHRONOLOGICAL =
      Comparator.comparing((AuditEvent e) -> e.record().eventTime())
          .thenComparingLong(AuditEvent::seq);

  private CausalOrder() {}

  /** {@code events} in causal order. */
  public static List<AuditEvent> of(List<AuditEvent> events) {
    Set<String> ids = new HashSet<>();
    events.forEach(e -> ids.add(e.record().eventId()));
    Map<String, List<AuditEvent>> effects = new HashMap<>();
    PriorityQueue<AuditEvent> ready = new PriorityQueue<>(CHRONOLOGICAL);
    for (AuditEvent e : events) {
      String cause = e.record().causationId();
      if (cause == null || !ids.contains(cause) || cause.equals(e.record().eventId())) {
        ready.add(e);
      } else {
        effects.computeIfAbsent(cause, c -> new ArrayList<>()).add(e);
      }
    }
    List<AuditEvent> ordered = new ArrayList<>(events.size());
    Set<String> released = new HashSet<>();
    while (!ready.isEmpty()) {
      AuditEvent next = ready.poll();
      ordered.add(next);
      String id = next.record().eventId();
      if (id != null && released.add(id)) {
        ready.addAll(effects.getOrDefault(id, List.of()));
      }
    }
    if (ordered.size() < events.size()) {
      // A causation cycle can only come from forged ids; keep those events, in time order.
      Set<AuditEvent> rest = new LinkedHashSet<>(events);
      ordered.forEach(rest::remove);
      rest.stream().sorted(CHRONOLOGICAL).forEach(ordered::add);
    }
    return ordered;
  }
}
