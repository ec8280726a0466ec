package dev.slipway.trigger.service;

import dev.slipway.trigger.Application;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.repository.ApplicationRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The registry as the webhook path reads it: every application with its secret already decrypted,
 * found by name (its own webhook URL), by repository (the host-wide URL) or, for GitLab, by token.
 * A webhook therefore costs no registry query and at most a bounded number of HMACs, however many
 * applications there are.
 *
 * <p>Each instance keeps its own copy. Writes through this instance's API refresh it before they
 * answer; writes by another instance bump the {@code registry_version} row (a trigger), which each
 * instance polls every {@code registry-poll-interval}, and then only rows whose version changed are
 * read again. Refreshes run one at a time on their own thread; a request for one while another runs
 * is served by the next, which reads the state after the request.
 */
@ApplicationScoped
public class ApplicationIndex {

  private static final Logger LOG = Logger.getLogger(ApplicationIndex.class);
  private static final String REGISTRY_VERSION =
      "SELECT version FROM registry_version WHERE id = 1";
  private static final String VERSIONS = "SELECT name, version FROM applications";
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MISS_REFRESH_EVERY = Duration.ofSeconds(1);
  private static final int LOAD_CHUNK = 500;

  private final Pool pool;
  private final ApplicationRepository repository;
  private final SecretCipher cipher;
  private final TriggerConfig config;
  private final Vertx vertx;
  private final ExecutorService loader =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "registry-index");
            thread.setDaemon(true);
            return thread;
          });

  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private volatile long lastMissRefresh;
  private CompletableFuture<Void> queued;
  private long pollTimer = -1;

  public ApplicationIndex(
      Pool pool,
      ApplicationRepository repository,
      SecretCipher cipher,
      TriggerConfig config,
      Vertx vertx,
      TriggerMetrics metrics) {
    metrics.registrySize(this::size);
    this.pool = pool;
    this.repository = repository;
    this.cipher = cipher;
    this.config = config;
    this.vertx = vertx;
  }

  void start(@Observes StartupEvent started) {
    try {
      request().join();
    } catch (RuntimeException e) {
      LOG.warnf("registry index not loaded at start, the poll retries: %s", e.toString());
    }
    pollTimer = vertx.setPeriodic(config.registryPollInterval().toMillis(), id -> poll());
  }

  void stop(@Observes ShutdownEvent stopping) {
    if (pollTimer >= 0) {
      vertx.cancelTimer(pollTimer);
    }
    loader.shutdownNow();
  }

  /** The application named {@code name}, as of the last refresh. */
  public Optional<IndexedApplication> get(String name) {
    return Optional.ofNullable(snapshot.byName().get(name));
  }

  /**
   * The application named {@code name}; when unknown, the index is refreshed first (at most once a
   * second, so requests for names nobody registered cannot keep the database busy), in case another
   * instance registered it a moment ago.
   */
  public Uni<Optional<IndexedApplication>> find(String name) {
    Optional<IndexedApplication> known = get(name);
    long now = System.nanoTime();
    if (known.isPresent() || now - lastMissRefresh < MISS_REFRESH_EVERY.toNanos()) {
      return Uni.createFrom().item(known);
    }
    lastMissRefresh = now;
    return refresh().map(done -> get(name));
  }

  /** The applications of {@code provider} following any of the normalized {@code repoUrls}. */
  public List<IndexedApplication> following(GitProvider provider, Collection<String> repoUrls) {
    Map<String, IndexedApplication> found = new LinkedHashMap<>();
    for (String url : repoUrls) {
      for (IndexedApplication app :
          snapshot.byRepo().getOrDefault(repoKey(provider, url), List.of())) {
        found.putIfAbsent(app.name(), app);
      }
    }
    return List.copyOf(found.values());
  }

  /** The GitLab applications whose secret is {@code token} (GitLab sends the secret itself). */
  public List<IndexedApplication> withGitlabToken(String token) {
    return snapshot
        .byToken()
        .getOrDefault(digest(token.getBytes(StandardCharsets.UTF_8)), List.of());
  }

  /** How many applications the index holds. */
  public int size() {
    return snapshot.byName().size();
  }

  /** Reads the registry's changes; completes on the caller's context once they are in. */
  public Uni<Void> refresh() {
    return Uni.createFrom().completionStage(this::request).emitOn(EventLoop.current());
  }

  private synchronized CompletableFuture<Void> request() {
    if (queued != null) {
      return queued;
    }
    CompletableFuture<Void> next = new CompletableFuture<>();
    queued = next;
    loader.execute(
        () -> {
          synchronized (this) {
            queued = null;
          }
          try {
            load();
            next.complete(null);
          } catch (Throwable e) {
            next.completeExceptionally(e);
          }
        });
    return next;
  }

  private void poll() {
    pool.query(REGISTRY_VERSION)
        .execute()
        .subscribe()
        .with(
            rows -> {
              if (rows.iterator().next().getLong(0) != snapshot.registryVersion()) {
                request();
              }
            },
            failure -> LOG.debugf("registry version not readable: %s", failure.toString()));
  }

  private void load() {
    long registryVersion =
        pool.query(REGISTRY_VERSION)
            .execute()
            .await()
            .atMost(QUERY_TIMEOUT)
            .iterator()
            .next()
            .getLong(0);
    Map<String, Long> versions = new HashMap<>();
    for (Row row : pool.query(VERSIONS).execute().await().atMost(QUERY_TIMEOUT)) {
      versions.put(row.getString(0), row.getLong(1));
    }
    Snapshot old = snapshot;
    Map<String, IndexedApplication> byName = new HashMap<>();
    List<String> changed = new ArrayList<>();
    versions.forEach(
        (name, version) -> {
          IndexedApplication known = old.byName().get(name);
          if (known != null && known.version() == version) {
            byName.put(name, known);
          } else {
            changed.add(name);
          }
        });
    for (int from = 0; from < changed.size(); from += LOAD_CHUNK) {
      List<String> chunk =
          List.copyOf(changed.subList(from, Math.min(changed.size(), from + LOAD_CHUNK)));
      List<Application> rows;
      try {
        rows = read(chunk);
      } catch (Exception e) {
        // One unreadable row must not keep every other application out of the index.
        rows = new ArrayList<>();
        for (String name : chunk) {
          try {
            rows.addAll(read(List.of(name)));
          } catch (Exception broken) {
            LOG.errorf("application %s: registry row unreadable: %s", name, broken.toString());
            byName.put(name, unreadable(name, versions.get(name), broken));
          }
        }
      }
      for (Application app : rows) {
        byName.put(app.name, indexed(app));
      }
    }
    snapshot = Snapshot.of(byName, registryVersion);
    if (!changed.isEmpty() || old.byName().size() != byName.size()) {
      LOG.debugf("registry index: %d applications, %d read again", byName.size(), changed.size());
    }
  }

  private List<Application> read(List<String> names) {
    return repository.named(names).await().atMost(QUERY_TIMEOUT);
  }

  private static IndexedApplication unreadable(String name, long version, Exception cause) {
    return new IndexedApplication(
        name,
        null,
        null,
        null,
        "registry row unreadable: " + cause,
        List.of(),
        List.of(),
        null,
        version);
  }

  private IndexedApplication indexed(Application app) {
    byte[] secret = null;
    String problem = null;
    try {
      secret = cipher.decrypt(app.name, app.webhookSecret);
    } catch (SecretCipher.UnreadableSecretException e) {
      // Only this application's webhooks fail; every other one keeps working.
      problem = e.getMessage();
      LOG.errorf("application %s: %s", app.name, problem);
    }
    return new IndexedApplication(
        app.name,
        app.provider,
        app.repoUrl,
        secret,
        problem,
        app.branchFilters,
        app.tagFilters,
        app.pipeline(),
        app.version);
  }

  private static String repoKey(GitProvider provider, String repoUrl) {
    return provider.id() + " " + repoUrl;
  }

  private static String digest(byte[] value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** One consistent state of the index; replaced whole, never changed. */
  private record Snapshot(
      Map<String, IndexedApplication> byName,
      Map<String, List<IndexedApplication>> byRepo,
      Map<String, List<IndexedApplication>> byToken,
      long registryVersion) {

    static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), -1);

    static Snapshot of(Map<String, IndexedApplication> byName, long registryVersion) {
      Map<String, List<IndexedApplication>> byRepo = new HashMap<>();
      Map<String, List<IndexedApplication>> byToken = new HashMap<>();
      byName.values().stream()
          .sorted(Comparator.comparing(IndexedApplication::name))
          .forEach(
              app -> {
                if (app.provider() == null) {
                  return;
                }
                byRepo
                    .computeIfAbsent(repoKey(app.provider(), app.repoUrl()), k -> new ArrayList<>())
                    .add(app);
                if (app.provider() == GitProvider.GITLAB && app.secret() != null) {
                  byToken.computeIfAbsent(digest(app.secret()), k -> new ArrayList<>()).add(app);
                }
              });
      return new Snapshot(Map.copyOf(byName), byRepo, byToken, registryVersion);
    }
  }
}
