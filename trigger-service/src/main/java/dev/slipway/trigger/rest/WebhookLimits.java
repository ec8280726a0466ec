package dev.slipway.trigger.rest;

import dev.slipway.problem.Problems;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.problem.PayloadTooLargeException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a webhook whose declared {@code Content-Length} is over the limit before its body is
 * buffered (a body without a length is still measured after reading, by the service).
 */
public class WebhookLimits {

  private static final Logger LOG = Logger.getLogger(WebhookLimits.class);

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
    String detail =
        "The body has " + declared + " bytes; at most " + maxPayloadBytes + " are accepted.";
    return Problems.of(new PayloadTooLargeException(detail), request.getUriInfo(), LOG);
  }
}
