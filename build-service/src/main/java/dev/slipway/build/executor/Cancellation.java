package dev.slipway.build.executor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A build's stop switch: set by the API (directly on this instance, or through the heartbeat when
 * it was asked on another), or by a deadline the platform sets (a stage's limit); read by whatever
 * runs the build, which registers how to stop what it started (kill a container, delete a Job).
 */
public final class Cancellation {

  private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
  private volatile String requestedBy;
  private volatile String timeout;
  private volatile String limit;

  /** Asks the build to stop; runs the registered hooks once. */
  public void cancel(String by) {
    stop(by, null, null);
  }

  /** Stops the build because a deadline passed; {@code reason} says which. */
  public void timeOut(String reason) {
    stop(null, reason, null);
  }

  /** Stops the build because it passed a limit of the platform (its disk quota, say). */
  public void overLimit(String reason) {
    stop(null, null, reason);
  }

  private void stop(String by, String timeoutReason, String limitReason) {
    synchronized (this) {
      if (isCancelled()) {
        return;
      }
      requestedBy = by == null ? "the platform" : by;
      timeout = timeoutReason;
      limit = limitReason;
    }
    hooks.forEach(Runnable::run);
  }

  /** Which limit stopped the build, or null. */
  public String limitReason() {
    return limit;
  }

  /** Whether the build was asked to stop, by someone or by a deadline. */
  public boolean isCancelled() {
    return requestedBy != null;
  }

  /** Who asked, or null. */
  public String requestedBy() {
    return requestedBy;
  }

  /** Why a deadline stopped the build, or null when it was not a deadline. */
  public String timeoutReason() {
    return timeout;
  }

  /** Runs {@code hook} on cancel (at once if already cancelled); returns a handle to remove it. */
  public AutoCloseable onCancel(Runnable hook) {
    hooks.add(hook);
    if (isCancelled()) {
      hook.run();
    }
    return () -> hooks.remove(hook);
  }
}
