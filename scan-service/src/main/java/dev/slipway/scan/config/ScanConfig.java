package dev.slipway.scan.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** scan-service settings, under {@code slipway.scan}. */
@ConfigMapping(prefix = "slipway.scan")
public interface ScanConfig {

  /** The vulnerability database. */
  Advisories advisories();

  /** Reading SBOMs from the registry and from uploads. */
  Sbom sbom();

  /** The workers that run pending scans. */
  Worker worker();

  /** The outbox relay that publishes scan.done, deploy.requested and vulnerability.found. */
  Relay relay();

  /** Re-evaluation of running digests after the database changes. */
  Reevaluation reevaluation();

  /** Most findings a scan.done carries; beyond that it names where all are. */
  @WithDefault("200")
  int maxFindingsInEvent();

  /** The vulnerability database settings. */
  interface Advisories {

    /** A folder of OSV JSON files (and zips of them) imported at start; absent: none. */
    Optional<Path> directory();

    /** Largest zip an import accepts, in bytes. */
    @WithDefault("1073741824")
    long maxUploadBytes();

    /** Largest single OSV file, in bytes, uncompressed; a larger one is quarantined. */
    @WithDefault("16777216")
    long maxEntryBytes();

    /** Most bytes one zip may decompress to in all; past it decompression stops. */
    @WithDefault("8589934592")
    long maxDecompressedBytes();

    /** Most entries one zip may hold; past it reading stops. */
    @WithDefault("1000000")
    int maxEntries();

    /**
     * Highest ratio of decompressed to compressed bytes a zip may reach (checked once it has
     * decompressed a mebibyte); past it decompression stops, as a zip bomb's would.
     */
    @WithDefault("100")
    int maxCompressionRatio();

    /** Advisories written to the database per batch during an import. */
    @WithDefault("500")
    int batchSize();
  }

  /** SBOM settings. */
  interface Sbom {

    /** Largest SBOM read from a registry or accepted in an upload, in bytes. */
    @WithDefault("52428800")
    long maxBytes();

    /**
     * Registries spoken to over plain HTTP ({@code host:port}, {@code *} for any port); all others
     * over HTTPS.
     */
    @WithDefault("127.0.0.1:*,localhost:*")
    List<String> insecureRegistries();

    /** How long connecting to a registry may take. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** How long one registry request may take. */
    @WithDefault("30s")
    Duration requestTimeout();
  }

  /** Worker settings. */
  interface Worker {

    /** Scans run at once by this instance. */
    @WithDefault("1")
    int threads();

    /** How long a claimed scan stays this worker's without renewal before another takes it. */
    @WithDefault("60s")
    Duration lease();

    /** How often an idle worker looks for work other instances recorded. */
    @WithDefault("2s")
    Duration pollInterval();

    /** Tries of a scan whose SBOM could not be fetched for a passing reason. */
    @WithDefault("5")
    int maxAttempts();

    /** Wait before retrying such a scan (doubled each try). */
    @WithDefault("5s")
    Duration retryDelay();
  }

  /** Re-evaluation settings. */
  interface Reevaluation {

    /** How long a claimed re-evaluation stays this instance's without renewal. */
    @WithDefault("120s")
    Duration lease();

    /** How often an idle re-evaluator looks for work other instances queued. */
    @WithDefault("5s")
    Duration pollInterval();
  }

  /** Relay settings. */
  interface Relay {

    /** Whether the relay runs; off only in tests that start it by hand. */
    @WithDefault("true")
    boolean enabled();

    /** How often the relay looks for events other instances stored. */
    @WithDefault("1s")
    Duration pollInterval();

    /** How long Kafka may take to acknowledge one event. */
    @WithDefault("10s")
    Duration publishTimeout();

    /** Events published per pass. */
    @WithDefault("100")
    int batchSize();
  }
}
