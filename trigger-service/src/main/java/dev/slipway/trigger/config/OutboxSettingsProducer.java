package dev.slipway.trigger.config;

import dev.slipway.work.outbox.OutboxSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Hands the shared outbox its settings, {@code slipway.trigger.outbox.*}. */
public class OutboxSettingsProducer {

  @Produces
  @Singleton
  OutboxSettings outbox(TriggerConfig config) {
    return config.outbox();
  }
}
