package dev.slipway.work.queue;

/** What a lease renewal found. */
public enum Renewal {
  /** The lease is still this holder's, renewed. */
  HELD,
  /**
   * Still held and renewed, but a caller asked to cancel the work: stop it and finish cancelled.
   */
  CANCEL_REQUESTED,
  /**
   * Another holder has it now (this one's lease expired and was taken over): stop, write nothing.
   */
  LOST
}
