package dev.slipway.build.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import java.net.URI;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Routes {@code GET /api/builds/{id}/log?follow=true} to the Server-Sent Events stream of the log:
 * JAX-RS selects methods by path and media type, not by query parameter, and the documented way to
 * follow a log is the query parameter.
 */
public class LogFollowFilter {

  private static final Pattern LOG_PATH = Pattern.compile("^/api/builds/[^/]+/log/?$");

  @ServerRequestFilter(preMatching = true)
  public void follow(ContainerRequestContext request) {
    URI uri = request.getUriInfo().getRequestUri();
    String follow = request.getUriInfo().getQueryParameters().getFirst("follow");
    if ("GET".equals(request.getMethod())
        && "true".equalsIgnoreCase(follow)
        && LOG_PATH.matcher(uri.getPath()).matches()) {
      String path =
          uri.getPath().endsWith("/") ? uri.getPath() + "events" : uri.getPath() + "/events";
      request.setRequestUri(
          uri.resolve(path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
    }
  }
}
