package dev.slipway.console.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallHintsTest {

  private final CallHints hints = new CallHints();

  @Test
  void aHintShapesTheCallsOfTheUserWhoseTokenNotedItOnly() {
    hints.put("token-a", "build:b1", "shop");
    assertThat(hints.get("token-a", "build:b1", String.class)).contains("shop");
    assertThat(hints.get("token-b", "build:b1", String.class)).isEmpty();
    assertThat(hints.get("token-a", "build:b2", String.class)).isEmpty();
  }

  @Test
  void theLatestHintWinsAndAHintOfAnotherTypeIsNone() {
    hints.put("t", "build:b1", "shop");
    hints.put("t", "build:b1", "store");
    assertThat(hints.get("t", "build:b1", String.class)).contains("store");
    assertThat(hints.get("t", "build:b1", Integer.class)).isEmpty();
  }

  @Test
  void theHintsHoldADigestOfTheTokenNeverTheTokenItself() throws Exception {
    String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJncmFjZSJ9.c2lnbmF0dXJl";
    hints.put(token, "build:b1", "shop");

    Field entries = CallHints.class.getDeclaredField("entries");
    entries.setAccessible(true);
    Map<?, ?> held = (Map<?, ?>) entries.get(hints);
    assertThat(held.keySet()).hasSize(1).noneMatch(key -> key.toString().contains(token));
    assertThat(hints.get(token, "build:b1", String.class)).contains("shop");
  }
}
