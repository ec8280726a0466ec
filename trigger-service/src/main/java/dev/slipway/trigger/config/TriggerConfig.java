package dev.slipway.trigger.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of trigger-service. */
@ConfigMapping(prefix = "slipway.trigger")
public interface TriggerConfig {

  /** Base64 of the 256-bit AES key that encrypts webhook secrets at rest; never committed. */
  String secretEncryptionKey();

  /** Largest webhook body accepted, in bytes; larger ones get 413. */
  @WithDefault("5242880")
  int maxPayloadBytes();

  /** How long a webhook waits for Kafka to acknowledge its record before answering 503. */
  @WithDefault("5s")
  Duration publishTimeout();

  /** Seconds a caller is told to wait (Retry-After) when Kafka cannot take a record. */
  @WithDefault("10")
  int retryAfterSeconds();
}
