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
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

/** The applications page and one application's page (release history, runs, rollback). */
@Path("/")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class ApplicationsResource {

  private static final int RUNS_SHOWN = 5;

  /** The {@link CallHints} key of the applications a user's applications page listed. */
  private static final String APPLICATIONS_HINT = "applications";

  /** The {@link CallHints} key prefix of an application's page: its environments. */
  private static final String APPLICATION_HINT = "application:";

  private final SlipwayClient client;
  private final CurrentSession current;
  private final Forms forms;
  private final CallHints hints;

  public ApplicationsResource(
      SlipwayClient client, CurrentSession current, Forms forms, CallHints hints) {
    this.client = client;
    this.current = current;
    this.forms = forms;
    this.hints = hints;
  }

  @GET
  public TemplateInstance applications() {
    PageContext page = PageContext.of("Applications", "apps", current);
    String token = current.require().token();
    // The calls for the applications this user saw last time start now, with the list itself:
    // the page waits for one wave of calls, not for the list and then for the rest.
    Map<String, AppCalls> started = new LinkedHashMap<>();
    hints
        .get(token, APPLICATIONS_HINT, KnownApplications.class)
        .ifPresent(
            known -> known.apps().forEach(app -> started.put(app.name(), start(app, token))));
    ApiResult<List<Application>> apps = client.applications(token).join();
    page.note(apps.problem());
    if (apps.ok()) {
      hints.put(token, APPLICATIONS_HINT, new KnownApplications(apps.value()));
    }
    Map<String, AppCalls> calls = new LinkedHashMap<>();
    for (Application app : apps.orElse(List.of())) {
      AppCalls early = started.get(app.name());
      calls.put(
          app.name(), early == null ? start(app, token) : early.startMissing(client, app, token));
    }
    List<AppCard> cards = new ArrayList<>();
    for (Application app : apps.orElse(List.of())) {
      AppCalls asked = calls.get(app.name());
      List<EnvironmentCard> environments = new ArrayList<>();
      for (Environment env : app.environments()) {
        ApiResult<List<Release>> history = asked.releases().get(env.name()).join();
        if (!history.notFound()) {
          page.note(history.problem());
        }
        // Drift is shown when deploy-service reports it; 404 means no release to compare with.
        ApiResult<ApiModel.Drift> compared = asked.drift().get(env.name()).join();
        if (!compared.notFound()
            && compared.problem() != null
            && compared.problem().status() != 405) {
          page.note(compared.problem());
        }
        environments.add(
            EnvironmentCard.of(env.name(), env.promotion(), history.orElse(List.of()))
                .withDrift(compared.orElse(null)));
      }
      ApiResult<List<Build>> appBuilds = asked.builds().join();
      ApiResult<List<Approval>> open = asked.approvals().join();
      page.note(appBuilds.problem());
      page.note(open.problem());
      List<RunRow> runs = runs(appBuilds.orElse(List.of()), RUNS_SHOWN);
      runs.forEach(run -> BuildResource.hintApplication(hints, token, run.build()));
      cards.add(new AppCard(app, environments, runs, open.orElse(List.of())));
    }
    return Pages.apps(page, cards);
  }

  /** The applications page's calls for one application: each started once. */
  private record AppCalls(
      CompletableFuture<ApiResult<List<Build>>> builds,
      CompletableFuture<ApiResult<List<Approval>>> approvals,
      Map<String, CompletableFuture<ApiResult<List<Release>>>> releases,
      Map<String, CompletableFuture<ApiResult<ApiModel.Drift>>> drift) {

    /** The calls of the environments {@code app} has and these calls do not cover yet. */
    AppCalls startMissing(SlipwayClient client, Application app, String token) {
      for (Environment env : app.environments()) {
        releases.computeIfAbsent(env.name(), e -> client.releases(app.name(), e, 10, token));
        drift.computeIfAbsent(env.name(), e -> client.drift(app.name(), e, token));
      }
      return this;
    }
  }

  private AppCalls start(Application app, String token) {
    return new AppCalls(
            client.builds(app.name(), 30, token),
            client.approvals(app.name(), "PENDING", 20, token),
            new ConcurrentHashMap<>(),
            new ConcurrentHashMap<>())
        .startMissing(client, app, token);
  }

  /** The applications a user's last applications page listed (a {@link CallHints} value). */
  private record KnownApplications(List<Application> apps) {}

  @GET
  @Path("apps/{name}")
  public TemplateInstance application(@PathParam("name") String name) {
    PageContext page = PageContext.of(name, "apps", current);
    String token = current.require().token();
    // The runs and the environments this user saw last time are asked with the application.
    CompletableFuture<ApiResult<Application>> asked = client.application(name, token);
    CompletableFuture<ApiResult<List<Build>>> builds = client.builds(name, 100, token);
    Map<String, CompletableFuture<ApiResult<List<Release>>>> pending = new LinkedHashMap<>();
    hints
        .get(token, APPLICATION_HINT + name, Application.class)
        .ifPresent(
            known ->
                known
                    .environments()
                    .forEach(
                        env ->
                            pending.put(env.name(), client.releases(name, env.name(), 20, token))));
    ApiResult<Application> app = asked.join();
    if (!app.ok()) {
      return Pages.error(
          page,
          app.problem().status() == 0 ? 502 : app.problem().status(),
          "Application " + name,
          app.problem().summary());
    }
    hints.put(token, APPLICATION_HINT + name, app.value());
    Map<String, List<Release>> releases = new LinkedHashMap<>();
    for (Environment env : app.value().environments()) {
      ApiResult<List<Release>> history =
          pending.computeIfAbsent(env.name(), e -> client.releases(name, e, 20, token)).join();
      if (!history.notFound()) {
        page.note(history.problem());
      }
      releases.put(env.name(), history.orElse(List.of()));
    }
    ApiResult<List<Build>> runs = builds.join();
    page.note(runs.problem());
    List<RunRow> shown = runs(runs.orElse(List.of()), 25);
    shown.forEach(run -> BuildResource.hintApplication(hints, token, run.build()));
    return Pages.app(page, app.value(), releases, shown);
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
