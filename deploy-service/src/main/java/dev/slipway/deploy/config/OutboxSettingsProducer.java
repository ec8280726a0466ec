package dev.slipway.deploy.config;

import dev.slipway.work.outbox.OutboxSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Hands the shared outbox its settings, {@code slipway.deploy.outbox.*}. */
public class OutboxSettingsProducer {

  @Produces
  @Singleton
  OutboxSettings outbox(DeployConfig config) {
    return config.outbox();
  }
}
