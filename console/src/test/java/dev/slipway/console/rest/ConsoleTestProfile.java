package dev.slipway.console.rest;

import dev.slipway.console.session.TestKeys;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Base64;
import java.util.Map;

/**
 * A console with a session key and token key of this test run, whose five services do not answer
 * (nothing listens on port 9 of loopback): pages must still render and say so.
 */
public class ConsoleTestProfile implements QuarkusTestResourceLifecycleManager {

  /** The session key of the test run. */
  public static final String SESSION_KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Override
  public Map<String, String> start() {
    String nowhere = "http://127.0.0.1:9";
    return Map.of(
        "slipway.console.session.key", SESSION_KEY,
        "slipway.console.session.public-key-location", TestKeys.publicKeyLocation(),
        "slipway.console.services.trigger", nowhere,
        "slipway.console.services.build", nowhere,
        "slipway.console.services.scan", nowhere,
        "slipway.console.services.deploy", nowhere,
        "slipway.console.services.audit", nowhere);
  }

  @Override
  public void stop() {}
}
