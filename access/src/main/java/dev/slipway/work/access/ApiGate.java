package dev.slipway.work.access;

import dev.slipway.events.EventJson;
import dev.slipway.problem.Problem;
import dev.slipway.problem.Problems;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jboss.logging.Logger;

/**
 * Authentication before anything else: a request under {@code /api/} without a valid bearer token
 * is answered 401 (problem+json) here, after the authentication mechanism and before routing,
 * content negotiation or body reading, whatever its method, path or content type. Every 401 and 403
 * an {@code /api/} request ends with, here or in the REST layer, is handed to the {@link
 * DenialRecorder}.
 */
@ApplicationScoped
public class ApiGate {

  /** After Quarkus' authentication (200) and authorization (100) handlers, before routing. */
  static final int PRIORITY = 50;

  /** Where an operation leaves the reason of a refusal for the denial record. */
  public static final String DENIAL_REASON = "slipway.denial-reason";

  private static final Logger LOG = Logger.getLogger(ApiGate.class);

  private final DenialRecorder denials;
  private final java.util.Set<String> publicPaths;

  public ApiGate(DenialRecorder denials, AuthConfig config) {
    this.denials = denials;
    this.publicPaths = java.util.Set.copyOf(config.publicPaths().orElse(java.util.List.of()));
  }

  void register(@Observes Filters filters) {
    filters.register(this::gate, PRIORITY);
  }

  void gate(RoutingContext context) {
    String path = context.normalizedPath();
    if (!path.equals("/api") && !path.startsWith("/api/") || publicPaths.contains(path)) {
      context.next();
      return;
    }
    context.addHeadersEndHandler(
        ignored -> {
          int status = context.response().getStatusCode();
          if (status == 401 || status == 403) {
            denials.record(context, status);
          }
        });
    Uni<SecurityIdentity> identity = QuarkusHttpUser.getSecurityIdentity(context, null);
    if (identity == null) {
      unauthorized(context, "A bearer token is required.");
      return;
    }
    identity
        .subscribe()
        .with(
            found -> {
              if (found == null || found.isAnonymous()) {
                unauthorized(context, "A bearer token is required.");
              } else {
                context.next();
              }
            },
            failure -> {
              if (!(failure instanceof AuthenticationFailedException)) {
                LOG.debugf(failure, "authenticating %s failed", path);
              }
              unauthorized(context, "The bearer token is expired, malformed or not trusted.");
            });
  }

  private static void unauthorized(RoutingContext context, String detail) {
    if (context.response().ended()) {
      return;
    }
    context.put(DENIAL_REASON, detail);
    Problem problem =
        new Problem(
            Problems.ABOUT_BLANK, "Unauthorized", 401, detail, context.normalizedPath(), null);
    byte[] body;
    try {
      body = EventJson.mapper().writeValueAsBytes(problem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    context
        .response()
        .setStatusCode(401)
        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
        .putHeader("WWW-Authenticate", "Bearer")
        .end(io.vertx.core.buffer.Buffer.buffer(body));
  }
}
