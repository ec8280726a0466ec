package dev.slipway.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Configuration of the audit service. */
@ConfigMapping(prefix = "slipway.audit")
public interface AuditConfig {

  /** Exports. */
  Export export();

  /** Verification of the log. */
  Verify verify();

  /** Ingest from Kafka. */
  Ingest ingest();

  /** Signed checkpoints. */
  Checkpoint checkpoint();

  /** Inclusion and consistency proofs. */
  Proofs proofs();

  /** The database role the service runs as. */
  Store store();

  /** DORA metrics. */
  Dora dora();

  /** Exports. */
  interface Export {
    /** Rows an export reads from the database cursor at a time. */
    @WithDefault("500")
    int fetchSize();
  }

  /** Verification of the log. */
  interface Verify {
    /** Most rows one verify call checks; the report names where the next chunk starts. */
    @WithDefault("100000")
    int maxRows();

    /** Rows read from the database at a time while verifying. */
    @WithDefault("2000")
    int fetchSize();
  }

  /** Ingest from Kafka. */
  interface Ingest {
    /** Longest wait between two attempts to write a batch the database cannot take now. */
    @WithDefault("PT15S")
    Duration maxRetryBackoff();

    /** A consumer whose group coordinator has not answered a heartbeat for this long is DOWN. */
    @WithDefault("PT20S")
    Duration heartbeatTimeout();
  }

  /** Signed checkpoints. */
  interface Checkpoint {
    /**
     * The key that signs checkpoints, a C2SP signed-note private key ({@code
     * PRIVATE+KEY+<name>+<hash>+<base64>}, Ed25519); without one no checkpoint is made.
     */
    Optional<String> signingKey();

    /** The first line of every checkpoint: the log's name. */
    @WithDefault("slipway.dev/audit")
    String origin();

    /** A file outside the database that every new checkpoint is also written to. */
    Optional<Path> file();

    /** How often a checkpoint is made, when the log grew (a Quarkus scheduler period). */
    @WithDefault("1m")
    String interval();

    /**
     * Most rows a run checks by their hashes (chain, tree, tiles) before it signs: a checkpoint of
     * the whole log as long as ingest appends fewer than this between two runs.
     */
    @WithDefault("5000000")
    long maxRows();

    /**
     * Rows whose content a run hashes again, twice over: the rows signed since this instance
     * started, oldest first, and a chunk of older history in a cycle.
     */
    @WithDefault("100000")
    long contentRows();
  }

  /** Inclusion and consistency proofs. */
  interface Proofs {
    /** Full tiles of stored hashes (256 hashes, 8 KB each) kept in memory for proofs. */
    @WithDefault("2048")
    int cachedTiles();
  }

  /** The database role the service runs as. */
  interface Store {
    /** Whether the service refuses to start when its role can do more than read and append. */
    @WithDefault("true")
    boolean checkRoleAtStart();

    /** Whether the administrator's DDL guard (db/admin/bootstrap.sql) must be installed. */
    @WithDefault("true")
    boolean requireDdlGuard();
  }

  /** DORA metrics. */
  interface Dora {
    /** How far before a window deploys and pushes are read to know what was delivered earlier. */
    @WithDefault("P365D")
    Duration lookback();
  }
}
