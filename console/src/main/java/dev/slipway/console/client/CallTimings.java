package dev.slipway.console.client;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import jakarta.enterprise.context.RequestScoped;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * How long each service call of the page being served took, for its {@code Server-Timing} header: a
 * browser's developer tools (and the browser test) see where a page's time went. Calls complete on
 * the HTTP client's threads, so the record is thread-safe.
 */
@RequestScoped
public class CallTimings {

  /** One call: the service, the path without its query, the milliseconds to the whole answer. */
  public record Call(Service service, String path, double millis) {}

  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private volatile long started = System.nanoTime();

  /**
   * The record of the request served on this thread (the instance itself, not its proxy, so that
   * the HTTP client's threads can add to it), if a request is being served here.
   */
  public static Optional<CallTimings> current() {
    ManagedContext context = Arc.container().requestContext();
    if (!context.isActive()) {
      return Optional.empty();
    }
    return Optional.of(Arc.container().instance(CallTimings.class).get().self());
  }

  CallTimings self() {
    return this;
  }

  /** The request began now. */
  public void begin() {
    started = System.nanoTime();
  }

  void add(Service service, String path, double millis) {
    calls.add(new Call(service, path, millis));
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /**
   * The {@code Server-Timing} value: each call as {@code <service>;desc="<path>";dur=<ms>}, then
   * {@code handler;dur=<ms>}, the page's own time from the request up to its rendering.
   */
  public String header() {
    String each =
        calls.stream()
            .map(
                c ->
                    String.format(
                        Locale.ROOT,
                        "%s;desc=\"%s\";dur=%.1f",
                        c.service().name().toLowerCase(Locale.ROOT),
                        c.path().replaceAll("[\"\\\\\\p{Cntrl}]", ""),
                        c.millis()))
            .collect(Collectors.joining(", "));
    String handler =
        String.format(Locale.ROOT, "handler;dur=%.1f", (System.nanoTime() - started) / 1e6);
    return each.isEmpty() ? handler : each + ", " + handler;
  }
}
