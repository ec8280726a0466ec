package dev.slipway.sandbox;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The work queue of a controller, as client-go's is: a key ({@code namespace/name}) is reconciled
 * on one thread at a time, a key written again while it is reconciled is reconciled once more
 * after, and keys whose objects are still moving by themselves (pods becoming ready, a deadline to
 * come) are looked at again every {@code resync}.
 */
final class ControllerLoop implements AutoCloseable {

  /** Moves one object one step. */
  @FunctionalInterface
  interface Reconciler {

    /**
     * Reconciles {@code namespace/name}.
     *
     * @return whether nothing more will happen without a write (the key may rest)
     */
    boolean reconcile(String namespace, String name);
  }

  private static final System.Logger LOG = System.getLogger(ControllerLoop.class.getName());

  private final String name;
  private final Reconciler reconciler;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final Object lock = new Object();
  private final Set<String> queued = new HashSet<>();
  private final Set<String> running = new HashSet<>();
  private final Set<String> dirty = new HashSet<>();
  private final Set<String> moving = ConcurrentHashMap.newKeySet();

  ControllerLoop(String name, Reconciler reconciler, Duration resync, int threads) {
    this.name = name;
    this.reconciler = reconciler;
    this.workers = Executors.newFixedThreadPool(threads, daemon("sandbox-" + name));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("sandbox-" + name + "-resync"));
    long every = resync.toMillis();
    timer.scheduleWithFixedDelay(
        () -> moving.forEach(this::enqueue), every, every, TimeUnit.MILLISECONDS);
  }

  /** Asks for {@code namespace/name} to be reconciled. */
  void enqueue(String namespace, String objectName) {
    enqueue(namespace + "/" + objectName);
  }

  private void enqueue(String key) {
    synchronized (lock) {
      if (running.contains(key)) {
        dirty.add(key);
        return;
      }
      if (!queued.add(key)) {
        return;
      }
    }
    try {
      workers.execute(() -> process(key));
    } catch (RejectedExecutionException closed) {
      // shutting down
    }
  }

  private void process(String key) {
    synchronized (lock) {
      queued.remove(key);
      running.add(key);
    }
    try {
      int slash = key.indexOf('/');
      boolean settled = reconciler.reconcile(key.substring(0, slash), key.substring(slash + 1));
      if (settled) {
        moving.remove(key);
      } else {
        moving.add(key);
      }
    } catch (KubernetesClientException e) {
      // A conflicting write (409) or a race with a deletion: look again soon.
      moving.add(key);
      LOG.log(
          System.Logger.Level.DEBUG,
          "{0}: reconcile of {1} failed: {2}",
          name,
          key,
          e.getMessage());
    } catch (RuntimeException e) {
      moving.add(key);
      LOG.log(System.Logger.Level.WARNING, name + ": reconcile of " + key + " failed", e);
    } finally {
      boolean again;
      synchronized (lock) {
        running.remove(key);
        again = dirty.remove(key);
      }
      if (again) {
        enqueue(key);
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    workers.shutdownNow();
  }

  static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
