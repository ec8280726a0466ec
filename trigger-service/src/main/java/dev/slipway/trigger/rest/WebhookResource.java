package dev.slipway.trigger.rest;

import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.service.WebhookService;
import dev.slipway.trigger.service.WebhookService.Answer;
import dev.slipway.trigger.webhook.WebhookBody;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * Push webhooks of GitHub, GitLab, Bitbucket Cloud and Gitea. No bearer token: each request is
 * authenticated by its host's signature over the body. Each application has its own URL; the
 * host-wide one stays for hooks configured before.
 */
@Path("/webhooks")
public class WebhookResource {

  private final WebhookService webhooks;

  public WebhookResource(WebhookService webhooks) {
    this.webhooks = webhooks;
  }

  /** An application's own webhook URL: its secret is known before the body is read. */
  @POST
  @Path("/{provider: github|gitlab|bitbucket|gitea}/{application}")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> receiveFor(
      @PathParam("provider") String provider,
      @PathParam("application") String application,
      @Context HttpHeaders headers,
      byte[] body) {
    return receive(provider, application, headers, body);
  }

  /** The host-wide webhook URL: the body names the repository, its followers' secrets check it. */
  @POST
  @Path("/{provider: github|gitlab|bitbucket|gitea}")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> receiveHostWide(
      @PathParam("provider") String provider, @Context HttpHeaders headers, byte[] body) {
    return receive(provider, null, headers, body);
  }

  private Uni<Response> receive(
      String provider, String application, HttpHeaders headers, byte[] body) {
    return webhooks
        .receive(
            new WebhookService.Request(
                GitProvider.fromId(provider).orElseThrow(),
                application,
                headers::getHeaderString,
                headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
                WebhookBody.of(body == null ? new byte[0] : body)))
        .map(WebhookResource::toResponse);
  }

  private static Response toResponse(Answer answer) {
    if (answer instanceof Answer.Accepted accepted) {
      return json(Response.Status.ACCEPTED, accepted.body());
    }
    if (answer instanceof Answer.Duplicate duplicate) {
      return json(Response.Status.OK, duplicate.body());
    }
    if (answer instanceof Answer.Ignored ignored) {
      return Response.accepted(Map.of("ignored", ignored.reason()))
          .type(MediaType.APPLICATION_JSON)
          .build();
    }
    return Response.ok(Map.of("ping", "pong")).type(MediaType.APPLICATION_JSON).build();
  }

  private static Response json(Response.Status status, String body) {
    return Response.status(status).entity(body).type(MediaType.APPLICATION_JSON).build();
  }
}
