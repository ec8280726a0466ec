package dev.slipway.console.rest;

import dev.slipway.console.client.CallTimings;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every answer says where its time went in a {@code Server-Timing} header ({@link CallTimings}):
 * each service call with its path and duration, and the handler's own time before rendering.
 */
public class PageTimings {

  private final CallTimings timings;

  public PageTimings(CallTimings timings) {
    this.timings = timings;
  }

  @ServerRequestFilter(priority = 1)
  public void begin(ContainerRequestContext request) {
    timings.begin();
  }

  @ServerResponseFilter
  public void answer(ContainerRequestContext request, ContainerResponseContext response) {
    if (!response.getHeaders().containsKey("Server-Timing")) {
      response.getHeaders().add("Server-Timing", timings.header());
    }
  }
}
