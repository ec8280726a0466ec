package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel;
import dev.slipway.console.client.ApiModel.Application;
import dev.slipway.console.client.ApiModel.Approval;
import dev.slipway.console.client.ApiModel.Build;
import dev.slipway.console.client.ApiModel.Environment;
import dev.slipway.console.client.ApiModel.Release;
import dev.slipway.console.client.ApiResult;
import dev.slipway.console.client.SlipwayClient;
import dev.slipway.console.session.Session;
import dev.slipway.console.view.Overview;
import dev.slipway.console.view.Overview.AppCard;
import dev.slipway.console.view.Overview.EnvironmentCard;
import dev.slipway.console.view.Overview.RunRow;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

/** The applications page and one application's page (release history, runs, rollback). */
@Path("/")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class ApplicationsResource {

  private static final int RUNS_SHOWN = 5;

  private final SlipwayClient client;
  private final CurrentSession current;
  private final Forms forms;

  public ApplicationsResource(SlipwayClient client, CurrentSession current, Forms forms) {
    this.client = client;
    this.current = current;
    this.forms = forms;
  }

  @GET
  public TemplateInstance applications() {
    PageContext page = PageContext.of("Applications", "apps", current);
    String token = current.require().token();
    ApiResult<List<Application>> apps = client.applications(token).join();
    page.note(apps.problem());
    // Every call of every application at once: the page waits for the slowest, not the sum.
    Map<String, CompletableFuture<ApiResult<List<Build>>>> builds = new LinkedHashMap<>();
    Map<String, CompletableFuture<ApiResult<List<Approval>>>> approvals = new LinkedHashMap<>();
    Map<String, CompletableFuture<ApiResult<List<Release>>>> releases = new LinkedHashMap<>();
    Map<String, CompletableFuture<ApiResult<ApiModel.Drift>>> drift = new LinkedHashMap<>();
    for (Application app : apps.orElse(List.of())) {
      builds.put(app.name(), client.builds(app.name(), 30, token));
      approvals.put(app.name(), client.approvals(app.name(), "PENDING", 20, token));
      for (Environment env : app.environments()) {
        releases.put(
            app.name() + "/" + env.name(), client.releases(app.name(), env.name(), 10, token));
        drift.put(app.name() + "/" + env.name(), client.drift(app.name(), env.name(), token));
      }
    }
    List<AppCard> cards = new ArrayList<>();
    for (Application app : apps.orElse(List.of())) {
      List<EnvironmentCard> environments = new ArrayList<>();
      for (Environment env : app.environments()) {
        ApiResult<List<Release>> history = releases.get(app.name() + "/" + env.name()).join();
        if (!history.notFound()) {
          page.note(history.problem());
        }
        // Drift is shown when deploy-service reports it; 404 means no release to compare with.
        ApiResult<ApiModel.Drift> compared = drift.get(app.name() + "/" + env.name()).join();
        if (!compared.notFound()
            && compared.problem() != null
            && compared.problem().status() != 405) {
          page.note(compared.problem());
        }
        environments.add(
            EnvironmentCard.of(env.name(), env.promotion(), history.orElse(List.of()))
                .withDrift(compared.orElse(null)));
      }
      ApiResult<List<Build>> appBuilds = builds.get(app.name()).join();
      ApiResult<List<Approval>> open = approvals.get(app.name()).join();
      page.note(appBuilds.problem());
      page.note(open.problem());
      cards.add(
          new AppCard(
              app,
              environments,
              runs(appBuilds.orElse(List.of()), RUNS_SHOWN),
              open.orElse(List.of())));
    }
    return Pages.apps(page, cards);
  }

  @GET
  @Path("apps/{name}")
  public TemplateInstance application(@PathParam("name") String name) {
    PageContext page = PageContext.of(name, "apps", current);
    String token = current.require().token();
    ApiResult<Application> app = client.application(name, token).join();
    if (!app.ok()) {
      return Pages.error(
          page,
          app.problem().status() == 0 ? 502 : app.problem().status(),
          "Application " + name,
          app.problem().summary());
    }
    CompletableFuture<ApiResult<List<Build>>> builds = client.builds(name, 100, token);
    Map<String, CompletableFuture<ApiResult<List<Release>>>> pending = new LinkedHashMap<>();
    for (Environment env : app.value().environments()) {
      pending.put(env.name(), client.releases(name, env.name(), 20, token));
    }
    Map<String, List<Release>> releases = new LinkedHashMap<>();
    pending.forEach(
        (env, future) -> {
          ApiResult<List<Release>> history = future.join();
          if (!history.notFound()) {
            page.note(history.problem());
          }
          releases.put(env, history.orElse(List.of()));
        });
    ApiResult<List<Build>> runs = builds.join();
    page.note(runs.problem());
    return Pages.app(page, app.value(), releases, runs(runs.orElse(List.of()), 25));
  }

  @POST
  @Path("apps/{name}/environments/{env}/rollback")
  public Response rollback(
      @PathParam("name") String name,
      @PathParam("env") String env,
      @RestForm("revision") long revision,
      @RestForm("_csrf") String csrf,
      @RestHeader("X-CSRF-Token") String csrfHeader) {
    Session session = current.require();
    forms.requireCsrf(session, csrf, csrfHeader);
    return forms.after(
        client.rollback(name, env, revision, session.token()).join(),
        "Rollback of " + env + " to revision " + revision + " requested.",
        "/apps/" + name);
  }

  /** The latest attempt of each run, newest runs first. */
  static List<RunRow> runs(List<Build> builds, int limit) {
    Set<String> seen = new LinkedHashSet<>();
    List<RunRow> runs = new ArrayList<>();
    for (Build build : builds) {
      if (build.runId() != null && seen.add(build.runId())) {
        runs.add(new Overview.RunRow(build.runId(), build));
        if (runs.size() == limit) {
          break;
        }
      }
    }
    return runs;
  }
}
