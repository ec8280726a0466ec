package dev.slipway.audit.service;

import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.checkpoint.SignedNote;
import dev.slipway.audit.config.AuditConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.Optional;

/** The key this log signs checkpoints with, from configuration; absent when none is configured. */
@ApplicationScoped
public class CheckpointSigner {

  private final Optional<SignedNote.Signer> signer;
  private final String origin;

  public CheckpointSigner(AuditConfig config) {
    // A malformed key fails start-up: a log that silently signs nothing is worse.
    this.signer = config.checkpoint().signingKey().map(SignedNote::signer);
    this.origin = config.checkpoint().origin();
  }

  /** The signing key, if configured. */
  public Optional<SignedNote.Signer> signer() {
    return signer;
  }

  /** The log's name, the first line of its checkpoints. */
  public String origin() {
    return origin;
  }

  /** The signed note of a tree of {@code size} leaves with {@code root}. */
  public String sign(long size, byte[] root) {
    SignedNote.Signer key =
        signer.orElseThrow(() -> new IllegalStateException("no checkpoint signing key"));
    return SignedNote.sign(SignedNote.checkpointText(origin, size, root), key);
  }

  /**
   * Whether {@code checkpoint}'s note is signed by this log's key and states its size and root;
   * true when no key is configured (nothing to check against).
   */
  public boolean signed(Checkpoint checkpoint) {
    if (signer.isEmpty()) {
      return true;
    }
    SignedNote.CheckpointText text = SignedNote.open(checkpoint.note(), signer.get());
    return text != null
        && text.origin().equals(origin)
        && text.treeSize() == checkpoint.treeSize()
        && Arrays.equals(text.rootHash(), checkpoint.rootHash());
  }
}
