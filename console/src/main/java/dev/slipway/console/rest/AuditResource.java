package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel.Application;
import dev.slipway.console.client.ApiModel.AuditEvent;
import dev.slipway.console.client.ApiModel.Checkpoint;
import dev.slipway.console.client.ApiModel.Dora;
import dev.slipway.console.client.ApiModel.Environment;
import dev.slipway.console.client.ApiModel.Verification;
import dev.slipway.console.client.ApiResult;
import dev.slipway.console.client.SlipwayClient;
import dev.slipway.console.view.AuditView;
import dev.slipway.console.view.AuditView.DoraCard;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The audit trail: a search over the log, the latest signed checkpoint, verification of the whole
 * chain, and DORA's four keys per application and environment.
 */
@Path("/audit")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class AuditResource {

  /** Verification walks the log in the service's chunks; at most this many per click. */
  private static final int MAX_CHUNKS = 20;

  private final SlipwayClient client;
  private final CurrentSession current;

  public AuditResource(SlipwayClient client, CurrentSession current) {
    this.client = client;
    this.current = current;
  }

  @GET
  public TemplateInstance audit(
      @QueryParam("application") String application,
      @QueryParam("runId") String runId,
      @QueryParam("commit") String commit,
      @QueryParam("topic") String topic,
      @QueryParam("environment") String environment,
      @QueryParam("status") String status) {
    return page(
        new AuditView.Search(
            trim(application),
            trim(runId),
            trim(commit),
            trim(topic),
            trim(environment),
            trim(status)),
        false);
  }

  /** The same page, with the whole chain verified from its first row. */
  @GET
  @Path("verify")
  public TemplateInstance verify() {
    return page(new AuditView.Search("", "", "", "", "", ""), true);
  }

  private TemplateInstance page(AuditView.Search search, boolean verify) {
    PageContext page = PageContext.of("Audit", "audit", current);
    String token = current.require().token();
    CompletableFuture<ApiResult<List<AuditEvent>>> events =
        client.auditEvents(search.parameters(), token);
    CompletableFuture<ApiResult<Checkpoint>> checkpoint = client.checkpoint(token);
    CompletableFuture<ApiResult<Verification>> verification =
        verify ? CompletableFuture.supplyAsync(() -> verifyAll(token)) : null;
    ApiResult<List<Application>> apps = client.applications(token).join();
    page.note(apps.problem());
    Map<String, List<CompletableFuture<ApiResult<Dora>>>> dora = new LinkedHashMap<>();
    for (Application app : apps.orElse(List.of())) {
      List<CompletableFuture<ApiResult<Dora>>> perEnvironment = new ArrayList<>();
      for (Environment env : app.environments()) {
        perEnvironment.add(client.dora(app.name(), env.name(), token));
      }
      dora.put(app.name(), perEnvironment);
    }
    List<DoraCard> cards = new ArrayList<>();
    dora.forEach(
        (app, futures) -> {
          List<Dora> metrics = new ArrayList<>();
          for (CompletableFuture<ApiResult<Dora>> future : futures) {
            ApiResult<Dora> result = future.join();
            page.note(result.problem());
            result.optional().ifPresent(metrics::add);
          }
          if (!metrics.isEmpty()) {
            cards.add(DoraCard.of(app, metrics));
          }
        });
    ApiResult<List<AuditEvent>> found = events.join();
    page.note(found.problem());
    ApiResult<Checkpoint> latest = checkpoint.join();
    if (!latest.notFound()) {
      page.note(latest.problem());
    }
    Verification verified = null;
    if (verification != null) {
      ApiResult<Verification> result = verification.join();
      page.note(result.problem());
      verified = result.orElse(null);
    }
    return Pages.audit(page, search, found.orElse(List.of()), latest.orElse(null), verified, cards);
  }

  /**
   * The whole log verified chunk by chunk (the service bounds each call), folded into one report:
   * the first failure, or OK over every row with the last chunk's root and every checkpoint seen.
   */
  private ApiResult<Verification> verifyAll(String token) {
    Long from = 1L;
    long checked = 0;
    List<Long> checkpoints = new ArrayList<>();
    ApiResult<Verification> last = null;
    for (int chunk = 0; chunk < MAX_CHUNKS && from != null; chunk++) {
      last = client.verify(from, token).join();
      if (!last.ok() || !"OK".equals(last.value().status())) {
        return last;
      }
      checked += last.value().checked();
      checkpoints.addAll(last.value().checkpoints());
      from = last.value().nextFrom();
    }
    Verification end = last.value();
    return ApiResult.of(
        new Verification(
            end.status(),
            1,
            end.toSeq(),
            checked,
            end.rootHash(),
            checkpoints,
            from,
            end.mismatch()));
  }

  private static String trim(String text) {
    return text == null ? "" : text.strip();
  }
}
