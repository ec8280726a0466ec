package dev.slipway.deploy;

/** Where a manual promotion stands. Only PENDING and an unused APPROVED are live. */
public enum ApprovalStatus {
  /** Waiting for approvers. */
  PENDING,
  /** Enough distinct approvers: the deploy into the environment was requested. */
  APPROVED,
  /** An approver closed it with a reason; nothing is deployed. */
  REJECTED,
  /** A newer run reached the same environment first; nothing is deployed. */
  SUPERSEDED,
  /**
   * What it approved stopped holding before it was used: the digest failed in an environment before
   * this one, or a newer release reached that environment.
   */
  REVOKED,
  /** Its time ran out before it was used. */
  EXPIRED
}
