package dev.slipway.trigger.rest;

import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.service.WebhookService;
import dev.slipway.trigger.service.WebhookService.Answer;
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
 * authenticated by its host's signature over the body.
 */
@Path("/webhooks")
public class WebhookResource {

  private final WebhookService webhooks;

  public WebhookResource(WebhookService webhooks) {
    this.webhooks = webhooks;
  }

  @POST
  @Path("/{provider: github|gitlab|bitbucket|gitea}")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<Response> receive(
      @PathParam("provider") String provider, @Context HttpHeaders headers, byte[] body) {
    GitProvider host = GitProvider.fromId(provider).orElseThrow();
    return webhooks
        .receive(host, headers::getHeaderString, body == null ? new byte[0] : body)
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
