package dev.slipway.build.executor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A build's cancel switch: set by the API (directly on this instance, or through the heartbeat when
 * it was asked on another), read by whatever runs the build, which registers how to stop what it
 * started (kill a process tree, delete a Job).
 */
public final class Cancellation {

  private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
  private volatile String requestedBy;

  /** Asks the build to stop; runs the registered hooks once. */
  public void cancel(String by) {
    synchronized (this) {
      if (requestedBy != null) {
        return;
      }
      requestedBy = by;
    }
    hooks.forEach(Runnable::run);
  }

  public boolean isCancelled() {
    return requestedBy != null;
  }

  /** Who asked, or null. */
  public String requestedBy() {
    return requestedBy;
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
