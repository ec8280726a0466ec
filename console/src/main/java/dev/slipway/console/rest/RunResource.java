package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel.Application;
import dev.slipway.console.client.ApiModel.Approval;
import dev.slipway.console.client.ApiModel.AuditEvent;
import dev.slipway.console.client.ApiModel.Build;
import dev.slipway.console.client.ApiModel.Rollout;
import dev.slipway.console.client.ApiModel.RunTimeline;
import dev.slipway.console.client.ApiModel.Scan;
import dev.slipway.console.client.ApiResult;
import dev.slipway.console.client.SlipwayClient;
import dev.slipway.console.view.RunPipeline;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A run: its stages from build to the last environment, and its audit timeline. */
@Path("/apps/{app}/runs/{runId}")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class RunResource {

  private final SlipwayClient client;
  private final CurrentSession current;
  private final CallHints hints;

  public RunResource(SlipwayClient client, CurrentSession current, CallHints hints) {
    this.client = client;
    this.current = current;
    this.hints = hints;
  }

  @GET
  public TemplateInstance run(@PathParam("app") String app, @PathParam("runId") String runId) {
    PageContext page = PageContext.of("Run " + runId, "apps", current);
    String token = current.require().token();
    // The services answer by application; the run's own rows are picked from the newest ones.
    CompletableFuture<ApiResult<Application>> application = client.application(app, token);
    CompletableFuture<ApiResult<List<Build>>> builds = client.builds(app, 100, token);
    CompletableFuture<ApiResult<List<Scan>>> scans = client.scans(app, 100, token);
    CompletableFuture<ApiResult<List<Rollout>>> rollouts = client.rollouts(app, null, 200, token);
    CompletableFuture<ApiResult<List<Approval>>> approvals =
        client.approvals(app, null, 100, token);
    CompletableFuture<ApiResult<RunTimeline>> timeline =
        page.auditReader()
            ? client.runTimeline(runId, token)
            : CompletableFuture.completedFuture(ApiResult.of(null));

    ApiResult<Application> chain = application.join();
    page.note(chain.problem());
    Optional<Build> build =
        note(page, builds.join()).stream().filter(b -> runId.equals(b.runId())).findFirst();
    Optional<Scan> scan =
        note(page, scans.join()).stream().filter(s -> runId.equals(s.runId())).findFirst();
    List<Rollout> runRollouts =
        note(page, rollouts.join()).stream().filter(r -> runId.equals(r.runId())).toList();
    List<Approval> runApprovals =
        note(page, approvals.join()).stream().filter(a -> runId.equals(a.runId())).toList();
    build.ifPresent(b -> BuildResource.hintApplication(hints, token, b));
    ApiResult<RunTimeline> story = timeline.join();
    if (!story.notFound()) {
      page.note(story.problem());
    }
    List<AuditEvent> events = story.optional().map(RunTimeline::events).orElse(List.of());
    List<RunPipeline.Stage> stages =
        RunPipeline.of(
            chain.optional().map(Application::environments).orElse(List.of()),
            build,
            scan,
            runRollouts,
            runApprovals);
    return Pages.run(
        page, app, runId, build.orElse(null), stages, events, RunPipeline.live(stages));
  }

  private static <T> List<T> note(PageContext page, ApiResult<List<T>> result) {
    page.note(result.problem());
    return result.orElse(List.of());
  }
}
