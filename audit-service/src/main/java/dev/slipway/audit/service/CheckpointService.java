package dev.slipway.audit.service;

import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.checkpoint.SignedNote;
import dev.slipway.audit.config.AuditConfig;
import dev.slipway.audit.content.AuditContent;
import dev.slipway.audit.merkle.CompactRange;
import dev.slipway.audit.repository.CheckpointRepository;
import dev.slipway.audit.repository.LogSnapshots;
import dev.slipway.audit.repository.StoreRoleGuard;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Makes signed checkpoints of the log, periodically, and writes each one to a file outside the
 * database too. Before signing it checks that nothing behind the last checkpoint moved: the
 * service's role still cannot rewrite history, the checkpoint in the file (which a database
 * administrator cannot reach) still matches the log, and the rows appended since the last
 * checkpoint verify by their hashes (links, chain hashes, the tree and its tiles, every signed root
 * on the way), which is cheap enough to sign the whole log however fast it grows. A signature
 * covers the leaf hashes the writer computed from the records themselves; hashing the rows' content
 * again is each run's bounded background work: first the rows signed since this instance started,
 * oldest first, then one chunk of older history, moving on cyclically, so a row changed after it
 * was appended is found too. When any of that fails it signs nothing, leaves the file as evidence
 * and reports the alarm through the integrity health group.
 */
@ApplicationScoped
public class CheckpointService {

  private static final Logger LOG = Logger.getLogger(CheckpointService.class);

  /**
   * The outcome of the last run.
   *
   * @param healthy whether the log checked out
   * @param detail what was found
   * @param at when
   */
  public record Outcome(boolean healthy, String detail, Instant at) {}

  private final LogVerifier verifier;
  private final LogSnapshots snapshots;
  private final CheckpointRepository checkpoints;
  private final CheckpointSigner signer;
  private final StoreRoleGuard roleGuard;
  private final AuditConfig config;
  private final AtomicReference<Outcome> outcome =
      new AtomicReference<>(new Outcome(true, "no checkpoint run yet", Instant.now()));

  /** Where the next re-verification of signed history starts. */
  private long scrubFrom = 1;

  /**
   * The first signed row whose content has not been hashed again since this instance started; 0
   * before the first run.
   */
  private long freshFrom;

  public CheckpointService(
      LogVerifier verifier,
      LogSnapshots snapshots,
      CheckpointRepository checkpoints,
      CheckpointSigner signer,
      StoreRoleGuard roleGuard,
      AuditConfig config) {
    this.verifier = verifier;
    this.snapshots = snapshots;
    this.checkpoints = checkpoints;
    this.signer = signer;
    this.roleGuard = roleGuard;
    this.config = config;
  }

  @Scheduled(
      every = "${slipway.audit.checkpoint.interval}",
      delayed = "5s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    try {
      checkpoint();
    } catch (RuntimeException e) {
      alarm("the checkpoint run failed: " + e.getMessage());
    }
  }

  /** The outcome of the last run, for health. */
  public Outcome outcome() {
    return outcome.get();
  }

  /** The latest checkpoint, if any. */
  public Optional<Checkpoint> latest() {
    return checkpoints.latest();
  }

  /**
   * Checks the log and, if it grew and checks out, signs a checkpoint of it (of at most {@code
   * slipway.audit.checkpoint.max-rows} rows more than the last). Returns the latest checkpoint
   * afterwards.
   */
  public synchronized Optional<Checkpoint> checkpoint() {
    if (signer.signer().isEmpty()) {
      alarm("no checkpoint signing key is configured (slipway.audit.checkpoint.signing-key)");
      return checkpoints.latest();
    }
    List<String> violations = roleGuard.violations();
    if (!violations.isEmpty()) {
      alarm("the service's role could rewrite history: " + String.join("; ", violations));
      return checkpoints.latest();
    }
    Optional<String> fileProblem = checkFile();
    if (fileProblem.isPresent()) {
      alarm(fileProblem.get());
      return checkpoints.latest();
    }
    Optional<Checkpoint> latest = checkpoints.latest();
    if (freshFrom == 0) {
      freshFrom = latest.map(c -> c.treeSize() + 1).orElse(1L);
    }
    if (latest.isPresent()) {
      Optional<String> problem = verifyFresh(latest.get().treeSize());
      if (problem.isEmpty()) {
        problem = scrub(latest.get().treeSize());
      }
      if (problem.isPresent()) {
        alarm(problem.get());
        return latest;
      }
    }
    VerificationReport report =
        verifier.verify(null, null, LogVerifier.Depth.HASHES, config.checkpoint().maxRows());
    if (report.status() != VerificationReport.Status.OK) {
      alarm("the log does not verify: " + report.mismatch());
      return latest;
    }
    long size = report.toSeq();
    if (latest.isPresent() && latest.get().treeSize() >= size) {
      healthy("the log matches checkpoint " + latest.get().treeSize());
      return latest;
    }
    byte[] root = AuditContent.fromHex(report.rootHash());
    CompactRange frontier = snapshots.read(s -> s.tree().frontier(size));
    if (!Arrays.equals(frontier.root(), root)) {
      alarm("the stored tree changed while a checkpoint was made");
      return latest;
    }
    Checkpoint made =
        new Checkpoint(
            size,
            root,
            frontier,
            signer.sign(size, root),
            OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
    checkpoints.insert(made);
    if (writeFile(made)) {
      healthy(
          "signed checkpoint "
              + size
              + "; the content of the rows signed since start is hashed again up to row "
              + (freshFrom - 1));
    }
    return checkpoints.latest();
  }

  /**
   * Hashes again the content of the next chunk of rows signed by their hashes alone, oldest first:
   * one chunk of {@code slipway.audit.checkpoint.content-rows} per run.
   */
  private Optional<String> verifyFresh(long signed) {
    if (freshFrom > signed) {
      return Optional.empty();
    }
    long to = Math.min(signed, freshFrom + config.checkpoint().contentRows() - 1);
    VerificationReport report =
        verifier.verify(
            freshFrom, to, LogVerifier.Depth.CONTENT, config.checkpoint().contentRows());
    if (report.status() != VerificationReport.Status.OK) {
      return Optional.of("signed history does not verify: " + report.mismatch());
    }
    freshFrom = report.nextFrom() != null ? report.nextFrom() : to + 1;
    return Optional.empty();
  }

  /**
   * Re-verifies the next chunk of history up to {@code signed} rows, anchored by the checkpoints in
   * it; the next run takes the chunk after, and after the last it starts over.
   */
  private Optional<String> scrub(long signed) {
    if (scrubFrom > signed) {
      scrubFrom = 1;
    }
    long to = Math.min(signed, scrubFrom + config.checkpoint().contentRows() - 1);
    VerificationReport report =
        verifier.verify(
            scrubFrom, to, LogVerifier.Depth.CONTENT, config.checkpoint().contentRows());
    if (report.status() != VerificationReport.Status.OK) {
      return Optional.of("signed history does not verify: " + report.mismatch());
    }
    scrubFrom = report.nextFrom() != null ? report.nextFrom() : to + 1;
    return Optional.empty();
  }

  /** A problem with the checkpoint kept in the file, if there is one. */
  private Optional<String> checkFile() {
    Optional<Path> file = config.checkpoint().file();
    if (file.isEmpty() || !Files.exists(file.get())) {
      return Optional.empty();
    }
    String note;
    try {
      note = Files.readString(file.get(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.of("cannot read the checkpoint file " + file.get() + ": " + e.getMessage());
    }
    SignedNote.CheckpointText text = SignedNote.open(note, signer.signer().orElseThrow());
    if (text == null || !text.origin().equals(signer.origin())) {
      return Optional.of(
          "the checkpoint file " + file.get() + " is not a checkpoint signed by this log's key");
    }
    return snapshots.read(
        snapshot -> {
          if (text.treeSize() > snapshot.size()) {
            return Optional.of(
                "the log has "
                    + snapshot.size()
                    + " rows but the checkpoint in "
                    + file.get()
                    + " was signed at "
                    + text.treeSize()
                    + ": its tail was cut off");
          }
          if (!Arrays.equals(snapshot.tree().root(text.treeSize()), text.rootHash())) {
            return Optional.of(
                "the log's first "
                    + text.treeSize()
                    + " rows no longer give the root signed in "
                    + file.get()
                    + ": history was rewritten");
          }
          return Optional.empty();
        });
  }

  private boolean writeFile(Checkpoint checkpoint) {
    Optional<Path> file = config.checkpoint().file();
    if (file.isEmpty()) {
      return true;
    }
    Path target = file.get().toAbsolutePath();
    try {
      Files.createDirectories(target.getParent());
      Path temporary = Files.createTempFile(target.getParent(), ".checkpoint", ".tmp");
      Files.writeString(temporary, checkpoint.note(), StandardCharsets.UTF_8);
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (IOException e) {
      alarm("cannot write the checkpoint file " + target + ": " + e.getMessage());
      return false;
    }
  }

  private void healthy(String detail) {
    outcome.set(new Outcome(true, detail, Instant.now()));
    LOG.debug(detail);
  }

  private void alarm(String detail) {
    outcome.set(new Outcome(false, detail, Instant.now()));
    LOG.error("audit log integrity: " + detail);
  }
}
