package dev.slipway.console.rest;

import dev.slipway.console.client.ApiModel.Approval;
import dev.slipway.console.client.ApiResult;
import dev.slipway.console.client.SlipwayClient;
import dev.slipway.console.session.Session;
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
import java.util.concurrent.CompletableFuture;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

/**
 * The approvals inbox: pending promotions to approve or reject, and the latest decisions. When
 * deploy-service refuses an approval (the user wrote or pushed the change), its reason is shown.
 */
@Path("/approvals")
@Produces(MediaType.TEXT_HTML)
@Blocking
public class ApprovalsResource {

  private final SlipwayClient client;
  private final CurrentSession current;
  private final Forms forms;

  public ApprovalsResource(SlipwayClient client, CurrentSession current, Forms forms) {
    this.client = client;
    this.current = current;
    this.forms = forms;
  }

  @GET
  public TemplateInstance inbox() {
    PageContext page = PageContext.of("Approvals", "approvals", current);
    String token = current.require().token();
    CompletableFuture<ApiResult<List<Approval>>> pending =
        client.approvals(null, "PENDING", 100, token);
    CompletableFuture<ApiResult<List<Approval>>> recent = client.approvals(null, null, 30, token);
    ApiResult<List<Approval>> open = pending.join();
    ApiResult<List<Approval>> all = recent.join();
    page.note(open.problem());
    page.note(all.problem());
    List<Approval> decided = all.orElse(List.of()).stream().filter(a -> !a.pending()).toList();
    return Pages.approvals(page, open.orElse(List.of()), decided);
  }

  @POST
  @Path("{id}/approve")
  public Response approve(
      @PathParam("id") String id,
      @RestForm("_csrf") String csrf,
      @RestHeader("X-CSRF-Token") String csrfHeader) {
    Session session = current.require();
    forms.requireCsrf(session, csrf, csrfHeader);
    return forms.after(
        client.approve(id, session.token()).join(),
        "You approved the promotion.",
        "/approvals#approval-" + id);
  }

  @POST
  @Path("{id}/reject")
  public Response reject(
      @PathParam("id") String id,
      @RestForm("reason") String reason,
      @RestForm("_csrf") String csrf,
      @RestHeader("X-CSRF-Token") String csrfHeader) {
    Session session = current.require();
    forms.requireCsrf(session, csrf, csrfHeader);
    return forms.after(
        client.reject(id, reason == null ? "" : reason, session.token()).join(),
        "You rejected the promotion.",
        "/approvals#approval-" + id);
  }
}
