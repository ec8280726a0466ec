package dev.slipway.console.client;

import java.util.function.Consumer;

/**
 * One Server-Sent Event as a service sent it.
 *
 * @param name the event's name ({@code log}, {@code outcome}); "message" when it had none
 * @param id its id (a build log's line number), or null
 * @param data its data, lines joined by newlines
 */
public record SseEvent(String name, String id, String data) {

  /** Reads the text/event-stream format line by line (WHATWG HTML, "event stream"). */
  public static final class Reader {
    private final Consumer<SseEvent> onEvent;
    private String name;
    private String id;
    private StringBuilder data;

    public Reader(Consumer<SseEvent> onEvent) {
      this.onEvent = onEvent;
    }

    /** Takes one line of the stream; a blank line dispatches the event read so far. */
    public void line(String line) {
      if (line.isEmpty()) {
        if (data != null) {
          onEvent.accept(new SseEvent(name == null ? "message" : name, id, data.toString()));
        }
        name = null;
        data = null;
        return;
      }
      if (line.startsWith(":")) {
        return;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "event" -> name = value;
        case "id" -> id = value;
        case "data" -> {
          if (data == null) {
            data = new StringBuilder(value);
          } else {
            data.append('\n').append(value);
          }
        }
        default -> {
          // retry and unknown fields: nothing to forward
        }
      }
    }
  }
}
