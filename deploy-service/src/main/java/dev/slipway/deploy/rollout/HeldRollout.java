package dev.slipway.deploy.rollout;

import dev.slipway.deploy.repository.RolloutWorkRepository.LeaseLostException;
import dev.slipway.work.queue.Heartbeat;
import dev.slipway.work.queue.Lease;
import org.jboss.logging.Logger;

/**
 * A rollout this instance holds: its claim ({@link Lease}: owner and fencing token, which fence
 * every write of its steps and outcome) and the heartbeat that keeps it. Every request to the
 * cluster for the rollout first asks {@link #check}: once the heartbeat gave the lease up (another
 * holder has it, or no renewal got through and it could run out within the margin), the rollout
 * stops touching the cluster here, before any other instance can take it over.
 */
public final class HeldRollout implements Heartbeat.Listener {

  private static final Logger LOG = Logger.getLogger(HeldRollout.class);

  private final Lease lease;
  private volatile Heartbeat heartbeat;
  private volatile String lost;

  HeldRollout(Lease lease) {
    this.lease = lease;
  }

  /** The claim. */
  public Lease lease() {
    return lease;
  }

  /** The rollout. */
  public String id() {
    return lease.id();
  }

  /** The worker holding it. */
  public String owner() {
    return lease.owner();
  }

  void keptBy(Heartbeat heartbeat) {
    this.heartbeat = heartbeat;
  }

  /** Whether the lease is surely still held: the rollout may act on the cluster. */
  public boolean held() {
    Heartbeat current = heartbeat;
    return lost == null && (current == null || current.held());
  }

  /**
   * Throws {@link LeaseLostException} unless the lease is surely still held; called before every
   * request to the cluster for this rollout.
   */
  public void check() {
    if (!held()) {
      throw new LeaseLostException(lease.id());
    }
  }

  @Override
  public void lost(String why) {
    lost = why;
    LOG.warnf(
        "rollout %s: lease given up (%s); it no longer acts on the cluster here", lease.id(), why);
  }

  /** Stops renewing: the rollout finished here, or this worker let it go. */
  void close() {
    Heartbeat current = heartbeat;
    if (current != null) {
      current.close();
    }
  }
}
