package dev.slipway.deploy;

/** Where a manual promotion stands. */
public enum ApprovalStatus {
  /** Waiting for approvers. */
  PENDING,
  /** Enough distinct approvers: the deploy into the environment was requested. */
  APPROVED,
  /** An approver closed it with a reason; nothing is deployed. */
  REJECTED,
  /** A newer run reached the same environment first; nothing is deployed. */
  SUPERSEDED
}
