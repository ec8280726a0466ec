package dev.slipway.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Tuning of the audit service. */
@ConfigMapping(prefix = "slipway.audit")
public interface AuditConfig {

  /** Rows an export reads from the database cursor at a time. */
  @WithDefault("500")
  int exportFetchSize();

  /** Rows chain verification reads per query. */
  @WithDefault("2000")
  int verifyPageSize();

  /** Longest wait between two attempts to write a batch the database refused. */
  @WithDefault("PT15S")
  Duration maxRetryBackoff();
}
