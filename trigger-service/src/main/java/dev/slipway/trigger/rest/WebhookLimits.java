package dev.slipway.trigger.rest;

import dev.slipway.trigger.config.TriggerConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a webhook whose declared {@code Content-Length} is over the limit before its body is
 * buffered (a body without a length is still measured after reading, by the service).
 */
public class WebhookLimits {

  private final int maxPayloadBytes;

  public WebhookLimits(TriggerConfig config) {
    this.maxPayloadBytes = config.maxPayloadBytes();
  }

  @ServerRequestFilter(preMatching = true)
  public Response tooLarge(ContainerRequestContext request) {
    String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (length == null || !request.getUriInfo().getPath().startsWith("/webhooks/")) {
      return null;
    }
    long declared;
    try {
      declared = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return null;
    }
    if (declared <= maxPayloadBytes) {
      return null;
    }
    return Response.status(413)
        .type(Problem.MEDIA_TYPE)
        .entity(
            new Problem(
                "https://slipway.dev/problems/payload-too-large",
                "Payload too large",
                413,
                "The body has "
                    + declared
                    + " bytes; at most "
                    + maxPayloadBytes
                    + " are accepted.",
                request.getUriInfo().getPath(),
                null))
        .build();
  }
}
