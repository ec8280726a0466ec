package dev.slipway.audit.checkpoint;

import dev.slipway.audit.merkle.CompactRange;
import java.time.OffsetDateTime;

/**
 * A signed statement of the log's size and Merkle root.
 *
 * @param treeSize rows in the log when it was made
 * @param rootHash the Merkle tree's root hash at that size
 * @param frontier the tree's frontier at that size (folds to {@code rootHash})
 * @param note the checkpoint as a C2SP signed note
 * @param createdAt when it was made
 */
public record Checkpoint(
    long treeSize, byte[] rootHash, CompactRange frontier, String note, OffsetDateTime createdAt) {}
