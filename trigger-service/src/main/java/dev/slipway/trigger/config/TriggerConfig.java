package dev.slipway.trigger.config;

import dev.slipway.work.outbox.OutboxSettings;
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

  /** The outbox of commit.received and its relay to Kafka ({@code slipway.trigger.outbox.*}). */
  OutboxSettings outbox();

  /** What old deliveries and pushes are deleted, and when (the outbox keeps its own retention). */
  Retention retention();

  /** How concurrent webhooks share a transaction ({@code slipway.trigger.group-commit.*}). */
  GroupCommit groupCommit();

  /**
   * Group commit: webhooks that arrive while earlier ones are being written wait for the next
   * transaction and are written together, one commit (one fsync) for all of them.
   */
  interface GroupCommit {

    /** Most webhooks written in one transaction. */
    @WithDefault("64")
    int maxBatch();

    /**
     * Transactions of webhooks in progress at once; a webhook arriving while all are busy waits for
     * the next one (1: a single writer).
     */
    @WithDefault("2")
    int maxInFlight();
  }

  /** Settings of the retention job. */
  interface Retention {

    /** How long a delivery row is kept (a host may redeliver within days). */
    @WithDefault("7d")
    Duration deliveries();

    /** How often the retention job runs. */
    @WithDefault("1h")
    Duration interval();
  }
}
