package dev.slipway.scan.service;

import java.time.Duration;

/**
 * Wakes a polling thread early: {@link #await} returns when {@link #wake} was called since the last
 * wait, or after the poll interval, whichever comes first. A wake-up is never lost.
 */
public final class WakeUpSignal {

  private final Object monitor = new Object();
  private boolean woken;

  /** Asks the waiting thread to go on now. */
  public void wake() {
    synchronized (monitor) {
      woken = true;
      monitor.notifyAll();
    }
  }

  /**
   * Waits for a wake-up or {@code timeout}.
   *
   * @return false when the thread was interrupted and should stop
   */
  public boolean await(Duration timeout) {
    synchronized (monitor) {
      try {
        if (!woken) {
          monitor.wait(timeout.toMillis());
        }
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } finally {
        woken = false;
      }
    }
  }
}
