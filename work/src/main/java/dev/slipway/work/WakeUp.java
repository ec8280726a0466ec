package dev.slipway.work;

import java.time.Duration;

/**
 * Wakes a polling thread early: {@link #await} returns when {@link #wake} was called since the last
 * wait, or after the timeout, whichever comes first. A wake-up is never lost, and many wake-ups
 * before one wait count once.
 */
public final class WakeUp {

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
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!woken) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          monitor.wait(Math.max(1, left / 1_000_000));
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
