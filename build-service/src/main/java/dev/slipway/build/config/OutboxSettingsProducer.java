package dev.slipway.build.config;

import dev.slipway.work.outbox.OutboxSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Hands the shared outbox its settings, {@code slipway.build.outbox.*}. */
public class OutboxSettingsProducer {

  @Produces
  @Singleton
  OutboxSettings outbox(BuildConfig config) {
    return config.outbox();
  }
}
