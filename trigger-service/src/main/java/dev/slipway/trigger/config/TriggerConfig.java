package dev.slipway.trigger.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Settings of trigger-service. */
@ConfigMapping(prefix = "slipway.trigger")
public interface TriggerConfig {

  /** Base64 of the 256-bit AES key that encrypts webhook secrets from now on; never committed. */
  String secretEncryptionKey();

  /** Id of {@link #secretEncryptionKey()}, written into every ciphertext it makes. */
  @WithDefault("k1")
  String secretKeyId();

  /** Earlier keys (id to base64), kept only to decrypt secrets not yet re-encrypted. */
  Map<String, String> secretPreviousKeys();

  /** Largest webhook body accepted, in bytes; larger ones get 413. */
  @WithDefault("5242880")
  int maxPayloadBytes();

  /** Bodies larger than this are verified and parsed in their own, smaller thread pool. */
  @WithDefault("262144")
  int largeBodyBytes();

  /** Threads (cores) that verify and parse large bodies at most, whatever arrives. */
  @WithDefault("1")
  int largeBodyThreads();

  /** Longest commit message put into commit.received, in UTF-8 bytes; longer ones are cut. */
  @WithDefault("65536")
  int maxMessageBytes();

  /** How long a push of the same commit to the same ref of an application is the same push. */
  @WithDefault("24h")
  Duration dedupWindow();

  /** Most distinct secrets one host-wide webhook is checked against (one HMAC each). */
  @WithDefault("16")
  int maxCandidateSecrets();

  /** Seconds a caller is told to wait (Retry-After) when the database cannot take a write. */
  @WithDefault("10")
  int retryAfterSeconds();

  /** How often each instance checks whether the registry changed (another instance wrote). */
  @WithDefault("1s")
  Duration registryPollInterval();

  /** The service's external base URL for the webhook URLs shown; absent: the request's. */
  Optional<URI> publicUrl();

  /** The relay from the outbox to Kafka. */
  Outbox outbox();

  /** What old rows are deleted, and when. */
  Retention retention();

  /** Settings of the outbox relay. */
  interface Outbox {

    /** Most rows published in one round. */
    @WithDefault("200")
    int batchSize();

    /** How long the relay sleeps when it found nothing to publish (a commit wakes it sooner). */
    @WithDefault("500ms")
    Duration pollInterval();

    /** First pause after a round failed; doubles up to {@link #maxBackoff()}. */
    @WithDefault("200ms")
    Duration backoff();

    /** Longest pause after failed rounds. */
    @WithDefault("5s")
    Duration maxBackoff();

    /** How long the relay lease of one instance lasts unless renewed. */
    @WithDefault("15s")
    Duration leaseDuration();

    /** Age of the oldest unsent row beyond which the outbox health check reports DEGRADED. */
    @WithDefault("5m")
    Duration degradedAfter();

    /** How often the outbox gauges (unsent rows, oldest age) are refreshed. */
    @WithDefault("2s")
    Duration statsInterval();
  }

  /** Settings of the retention job. */
  interface Retention {

    /** How long a delivery row is kept (a host may redeliver within days). */
    @WithDefault("7d")
    Duration deliveries();

    /** How long a published outbox row is kept, for inspection. */
    @WithDefault("7d")
    Duration sentOutbox();

    /** How often the retention job runs. */
    @WithDefault("1h")
    Duration interval();
  }
}
