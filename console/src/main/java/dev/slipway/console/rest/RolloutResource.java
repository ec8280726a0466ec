package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel.Release;
import dev.slipway.console.client.ApiModel.Rollout;
import dev.slipway.console.client.ApiModel.RolloutDetail;
import dev.slipway.console.client.ApiResult;
import dev.slipway.console.client.SlipwayClient;
import dev.slipway.console.session.Session;
import dev.slipway.console.view.RolloutView;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

/**
 * A rollout: its canary steps with pod counts and analysis samples, its outcome (the reason of a
 * rollback), and a rollback to the revision before it for those allowed.
 */
@Path("/rollouts/{id}")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class RolloutResource {

  private static final Set<String> COMMANDS = Set.of("pause", "resume", "promote", "abort");

  private final SlipwayClient client;
  private final CurrentSession current;
  private final Forms forms;

  public RolloutResource(SlipwayClient client, CurrentSession current, Forms forms) {
    this.client = client;
    this.current = current;
    this.forms = forms;
  }

  /** Pause, resume, promote (skip the remaining canary steps) or abort a running rollout. */
  @POST
  @Path("{command}")
  public Response command(
      @PathParam("id") String id,
      @PathParam("command") String command,
      @RestForm("_csrf") String csrf,
      @RestHeader("X-CSRF-Token") String csrfHeader) {
    Session session = current.require();
    forms.requireCsrf(session, csrf, csrfHeader);
    if (!COMMANDS.contains(command)) {
      return Pages.problem(
          404, "Not found", "A rollout can be paused, resumed, promoted or aborted.");
    }
    return forms.after(
        client.rolloutCommand(id, command, session.token()).join(),
        "Asked deploy-service to " + command + " the rollout.",
        "/rollouts/" + id);
  }

  @GET
  public TemplateInstance rollout(@PathParam("id") String id) {
    PageContext page = PageContext.of("Rollout " + id, "apps", current);
    String token = current.require().token();
    ApiResult<RolloutDetail> detail = client.rollout(id, token).join();
    if (!detail.ok()) {
      return Pages.error(
          page, BuildResource.status(detail), "Rollout " + id, detail.problem().summary());
    }
    Rollout rollout = detail.value().rollout();
    Release restorable = null;
    if (page.deployer() && rollout.finished()) {
      // The revision a rollback would restore: the newest successful one before this rollout's.
      ApiResult<List<Release>> releases =
          client.releases(rollout.application(), rollout.environment(), 20, token).join();
      if (!releases.notFound()) {
        page.note(releases.problem());
      }
      restorable =
          releases.orElse(List.of()).stream()
              .filter(r -> "SUCCEEDED".equals(r.status()))
              .filter(r -> rollout.revision() == null || r.revision() < rollout.revision())
              .findFirst()
              .orElse(null);
    }
    return Pages.rollout(page, detail.value(), RolloutView.steps(detail.value()), restorable);
  }
}
