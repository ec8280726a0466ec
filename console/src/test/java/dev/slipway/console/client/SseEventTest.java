package dev.slipway.console.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading text/event-stream as build-service sends it. */
class SseEventTest {

  @Test
  void readsNamedNumberedEventsAndJoinsDataLines() {
    List<SseEvent> events = new ArrayList<>();
    SseEvent.Reader reader = new SseEvent.Reader(events::add);
    for (String line :
        List.of(
            ": comment",
            "event: log",
            "id: 1",
            "data: step test: started",
            "",
            "event:log",
            "id:2",
            "data:a",
            "data:b",
            "",
            "data: {\"status\":\"SUCCEEDED\"}",
            "event: outcome",
            "",
            "")) {
      reader.line(line);
    }
    assertThat(events)
        .containsExactly(
            new SseEvent("log", "1", "step test: started"),
            new SseEvent("log", "2", "a\nb"),
            new SseEvent("outcome", "2", "{\"status\":\"SUCCEEDED\"}"));
  }
}
