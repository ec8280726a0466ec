package dev.slipway.console.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.console.client.ApiModel.Application;
import dev.slipway.console.client.ApiModel.Approval;
import dev.slipway.console.client.ApiModel.AuditEvent;
import dev.slipway.console.client.ApiModel.Build;
import dev.slipway.console.client.ApiModel.Checkpoint;
import dev.slipway.console.client.ApiModel.Dora;
import dev.slipway.console.client.ApiModel.Exposure;
import dev.slipway.console.client.ApiModel.Release;
import dev.slipway.console.client.ApiModel.Rollout;
import dev.slipway.console.client.ApiModel.RolloutDetail;
import dev.slipway.console.client.ApiModel.RunTimeline;
import dev.slipway.console.client.ApiModel.Scan;
import dev.slipway.console.client.ApiModel.Verification;
import dev.slipway.console.client.PlatformApi.Download;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The five services' public APIs as the console uses them, each call with the token of the user the
 * page is for. Paths and query parameters live here only.
 */
@ApplicationScoped
public class SlipwayClient {

  /**
   * How long a drift check is reused for the same user: the cluster is asked at most this often.
   */
  static final Duration DRIFT_KEPT = Duration.ofSeconds(15);

  /** How long DORA's keys are reused for the same user. */
  static final Duration DORA_KEPT = Duration.ofSeconds(30);

  private final PlatformApi api;
  private final RecentAnswers recent = new RecentAnswers();

  public SlipwayClient(PlatformApi api) {
    this.api = api;
  }

  // --- trigger-service ---

  public CompletableFuture<ApiResult<List<Application>>> applications(String token) {
    return api.list(Service.TRIGGER, "/api/apps?limit=200", token, Application.class);
  }

  public CompletableFuture<ApiResult<Application>> application(String name, String token) {
    return api.get(Service.TRIGGER, "/api/apps/" + path(name), token, Application.class);
  }

  // --- build-service ---

  public CompletableFuture<ApiResult<List<Build>>> builds(
      String application, int limit, String token) {
    return api.list(
        Service.BUILD,
        "/api/builds" + query("application", application, "limit", String.valueOf(limit)),
        token,
        Build.class);
  }

  public CompletableFuture<ApiResult<Build>> build(String id, String token) {
    return api.get(Service.BUILD, "/api/builds/" + path(id), token, Build.class);
  }

  public CompletableFuture<ApiResult<String>> buildLog(String id, String token) {
    return api.download(Service.BUILD, "/api/builds/" + path(id) + "/log", token)
        .thenApply(r -> r.map(d -> new String(d.body(), StandardCharsets.UTF_8)));
  }

  /** Follows a build's log after line {@code afterLine} until the build ended. */
  public ApiResult<Void> followBuildLog(
      String id,
      long afterLine,
      String token,
      Duration maxDuration,
      Consumer<SseEvent> onEvent,
      BooleanSupplier stop) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (afterLine > 0) {
      headers.put("Last-Event-ID", Long.toString(afterLine));
    }
    return api.follow(
        Service.BUILD,
        "/api/builds/" + path(id) + "/log/events",
        token,
        headers,
        maxDuration,
        onEvent,
        stop);
  }

  public CompletableFuture<ApiResult<JsonNode>> cancelBuild(String id, String token) {
    return api.post(Service.BUILD, "/api/builds/" + path(id) + "/cancel", token, null);
  }

  public CompletableFuture<ApiResult<JsonNode>> retryBuild(String id, String token) {
    return api.post(Service.BUILD, "/api/builds/" + path(id) + "/retry", token, null);
  }

  // --- scan-service ---

  public CompletableFuture<ApiResult<List<Scan>>> scans(
      String application, int limit, String token) {
    return api.list(
        Service.SCAN,
        "/api/scans" + query("application", application, "limit", String.valueOf(limit)),
        token,
        Scan.class);
  }

  public CompletableFuture<ApiResult<Scan>> scan(String id, String token) {
    return api.get(Service.SCAN, "/api/scans/" + path(id), token, Scan.class);
  }

  public CompletableFuture<ApiResult<Download>> sarif(String id, String token) {
    return api.download(Service.SCAN, "/api/scans/" + path(id) + "/sarif", token);
  }

  public CompletableFuture<ApiResult<Exposure>> exposure(String vulnerability, String token) {
    return api.get(
        Service.SCAN,
        "/api/exposure" + query("vulnerability", vulnerability),
        token,
        Exposure.class);
  }

  // --- deploy-service ---

  public CompletableFuture<ApiResult<List<Rollout>>> rollouts(
      String application, String environment, int limit, String token) {
    return api.list(
        Service.DEPLOY,
        "/api/rollouts"
            + query("application", application, "environment", environment, "limit", limit + ""),
        token,
        Rollout.class);
  }

  public CompletableFuture<ApiResult<RolloutDetail>> rollout(String id, String token) {
    return api.get(Service.DEPLOY, "/api/rollouts/" + path(id), token, RolloutDetail.class);
  }

  public CompletableFuture<ApiResult<List<Release>>> releases(
      String application, String environment, int limit, String token) {
    return api.list(
        Service.DEPLOY,
        "/api/apps/"
            + path(application)
            + "/environments/"
            + path(environment)
            + "/releases"
            + query("limit", String.valueOf(limit)),
        token,
        Release.class);
  }

  public CompletableFuture<ApiResult<JsonNode>> rollback(
      String application, String environment, long revision, String token) {
    return api.post(
        Service.DEPLOY,
        "/api/apps/" + path(application) + "/environments/" + path(environment) + "/rollback",
        token,
        Map.of("revision", revision));
  }

  /**
   * The environment compared with its last successful revision (404: none, or not reported); the
   * same user's answer of the last {@link #DRIFT_KEPT} is reused (it asks the cluster).
   */
  public CompletableFuture<ApiResult<ApiModel.Drift>> drift(
      String application, String environment, String token) {
    String call =
        "/api/apps/" + path(application) + "/environments/" + path(environment) + "/drift";
    return kept(
        Service.DEPLOY,
        call,
        DRIFT_KEPT,
        token,
        () -> api.get(Service.DEPLOY, call, token, ApiModel.Drift.class));
  }

  /** Pauses, resumes, promotes or aborts a running rollout. */
  public CompletableFuture<ApiResult<JsonNode>> rolloutCommand(
      String id, String command, String token) {
    return api.post(Service.DEPLOY, "/api/rollouts/" + path(id) + "/" + path(command), token, null);
  }

  public CompletableFuture<ApiResult<List<Approval>>> approvals(
      String application, String status, int limit, String token) {
    return api.list(
        Service.DEPLOY,
        "/api/approvals" + query("application", application, "status", status, "limit", limit + ""),
        token,
        Approval.class);
  }

  public CompletableFuture<ApiResult<Approval>> approval(String id, String token) {
    return api.get(Service.DEPLOY, "/api/approvals/" + path(id), token, Approval.class);
  }

  public CompletableFuture<ApiResult<JsonNode>> approve(String id, String token) {
    return api.post(Service.DEPLOY, "/api/approvals/" + path(id) + "/approve", token, null);
  }

  public CompletableFuture<ApiResult<JsonNode>> reject(String id, String reason, String token) {
    return api.post(
        Service.DEPLOY, "/api/approvals/" + path(id) + "/reject", token, Map.of("reason", reason));
  }

  // --- audit-service ---

  public CompletableFuture<ApiResult<RunTimeline>> runTimeline(String runId, String token) {
    return api.get(Service.AUDIT, "/api/audit/runs/" + path(runId), token, RunTimeline.class);
  }

  /** Audit rows matching {@code filter} (parameter name to value; blank values left out). */
  public CompletableFuture<ApiResult<List<AuditEvent>>> auditEvents(
      Map<String, String> filter, String token) {
    String[] pairs = new String[filter.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : filter.entrySet()) {
      pairs[i++] = e.getKey();
      pairs[i++] = e.getValue();
    }
    return api.list(Service.AUDIT, "/api/audit/events" + query(pairs), token, AuditEvent.class);
  }

  public CompletableFuture<ApiResult<Verification>> verify(Long from, String token) {
    return api.get(
        Service.AUDIT,
        "/api/audit/verify" + query("from", from == null ? null : from.toString()),
        token,
        Verification.class);
  }

  public CompletableFuture<ApiResult<Checkpoint>> checkpoint(String token) {
    return api.get(Service.AUDIT, "/api/audit/checkpoint", token, Checkpoint.class);
  }

  /**
   * DORA's four keys of an application in an environment; the same user's answer of the last {@link
   * #DORA_KEPT} is reused (audit-service computes them over weeks of its log).
   */
  public CompletableFuture<ApiResult<Dora>> dora(
      String application, String environment, String token) {
    String call = "/api/audit/dora" + query("application", application, "environment", environment);
    return kept(
        Service.AUDIT,
        call,
        DORA_KEPT,
        token,
        () -> api.get(Service.AUDIT, call, token, Dora.class));
  }

  private <T> CompletableFuture<ApiResult<T>> kept(
      Service service,
      String call,
      Duration ttl,
      String token,
      java.util.function.Supplier<CompletableFuture<ApiResult<T>>> fetch) {
    CallTimings timings = CallTimings.current().orElse(null);
    return recent.get(
        token,
        call,
        ttl,
        fetch,
        () -> {
          if (timings != null) {
            timings.add(service, URI.create(call).getPath() + " (kept)", 0);
          }
        });
  }

  static String path(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A query string of the pairs whose value is not blank; empty when none is. */
  static String query(String... pairs) {
    StringBuilder query = new StringBuilder();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      if (pairs[i + 1] == null || pairs[i + 1].isBlank()) {
        continue;
      }
      query
          .append(query.length() == 0 ? '?' : '&')
          .append(pairs[i])
          .append('=')
          .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
    }
    return query.toString();
  }
}
