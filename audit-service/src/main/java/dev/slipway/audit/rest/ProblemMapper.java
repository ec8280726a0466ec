package dev.slipway.audit.rest;

import dev.slipway.audit.repository.StoreUnavailableException;
import dev.slipway.audit.service.ProofService;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpClosedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error this API answers is an RFC 9457 problem: a missing, expired or untrusted token, a
 * role the operation does not allow, a bad parameter, nothing audited, routing errors; no stack
 * trace ever leaves the service: an unexpected failure is a 500 whose {@code errorId} is logged
 * with it.
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
  private static final String TYPE = "https://slipway.dev/problems/";
  private static final String ABOUT_BLANK = "about:blank";

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e, UriInfo uri) {
    return notAuthenticated("A bearer token is required.", uri);
  }

  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
    return notAuthenticated("The bearer token is expired, malformed or not trusted.", uri);
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return respond(
        new Problem(
            ABOUT_BLANK,
            "Forbidden",
            403,
            "The token does not hold a role this operation allows.",
            path(uri),
            null));
  }

  @ServerExceptionMapper
  public Response badParameter(BadParameterException e, UriInfo uri) {
    return respond(
        new Problem(
            TYPE + "invalid-input", "Invalid input", 400, e.getMessage(), path(uri), e.field()));
  }

  @ServerExceptionMapper
  public Response outsideTheLog(ProofService.OutsideTheLogException e, UriInfo uri) {
    return respond(
        new Problem(
            TYPE + "invalid-input", "Invalid input", 400, e.getMessage(), path(uri), e.field()));
  }

  @ServerExceptionMapper
  public Response applicationNotVisible(
      ApplicationScope.ApplicationNotVisibleException e, UriInfo uri) {
    return respond(
        new Problem(ABOUT_BLANK, "Forbidden", 403, e.getMessage(), path(uri), "application"));
  }

  @ServerExceptionMapper
  public Response storeUnavailable(StoreUnavailableException e, UriInfo uri) {
    LOG.warn("the audit store cannot serve a request: " + e.getMessage());
    return Response.status(503)
        .header(HttpHeaders.RETRY_AFTER, "5")
        .type(Problem.MEDIA_TYPE)
        .entity(
            new Problem(
                ABOUT_BLANK,
                "Service Unavailable",
                503,
                "The audit store cannot be reached now; try again shortly.",
                path(uri),
                null))
        .build();
  }

  @ServerExceptionMapper
  public Response notAudited(NotAuditedException e, UriInfo uri) {
    return respond(
        new Problem(TYPE + "not-audited", "Nothing audited", 404, e.getMessage(), path(uri), null));
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    int status = e.getResponse().getStatus();
    if (status >= 500) {
      return unexpected(e, uri);
    }
    Response.Status known = Response.Status.fromStatusCode(status);
    String title = known == null ? "HTTP " + status : known.getReasonPhrase();
    String detail = status == 404 ? "There is nothing at this path." : e.getMessage();
    return respond(new Problem(ABOUT_BLANK, title, status, detail, path(uri), null));
  }

  /** Whatever no other mapper claims: a bug or an outage nobody foresaw. */
  @ServerExceptionMapper(priority = Integer.MAX_VALUE)
  public Response unexpected(Throwable e, UriInfo uri) {
    String errorId = UUID.randomUUID().toString();
    if (clientWentAway(e)) {
      // Nobody is left to answer; not a failure of the service.
      LOG.debugf("error %s at %s: the client closed the connection", errorId, path(uri));
    } else {
      LOG.errorf(e, "error %s at %s: unexpected failure", errorId, path(uri));
    }
    return respond(
        new Problem(
            ABOUT_BLANK,
            "Internal Server Error",
            500,
            "The service failed unexpectedly; quote error id " + errorId + " to its operators.",
            path(uri),
            null,
            errorId));
  }

  private static boolean clientWentAway(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof HttpClosedException) {
        return true;
      }
    }
    return false;
  }

  private static Response notAuthenticated(String detail, UriInfo uri) {
    return Response.status(401)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .type(Problem.MEDIA_TYPE)
        .entity(new Problem(ABOUT_BLANK, "Unauthorized", 401, detail, path(uri), null))
        .build();
  }

  private static Response respond(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
  }

  private static String path(UriInfo uri) {
    return uri == null ? null : uri.getPath();
  }
}
