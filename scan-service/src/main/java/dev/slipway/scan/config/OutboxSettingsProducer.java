package dev.slipway.scan.config;

import dev.slipway.work.outbox.OutboxSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Hands the shared outbox its settings, {@code slipway.scan.outbox.*}. */
public class OutboxSettingsProducer {

  @Produces
  @Singleton
  OutboxSettings outbox(ScanConfig config) {
    return config.outbox();
  }
}
