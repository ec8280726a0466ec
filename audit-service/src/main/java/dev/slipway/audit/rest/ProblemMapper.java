package dev.slipway.audit.rest;

import dev.slipway.audit.repository.StoreUnavailableException;
import dev.slipway.audit.service.ProofService;
import dev.slipway.problem.Problem;
import dev.slipway.problem.Problems;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error this API answers is an RFC 9457 problem, through the shared {@link Problems}: a
 * missing, expired or untrusted token, a role the operation does not allow, an application outside
 * the token's scope, a bad parameter, nothing audited, the store unavailable (503), routing errors;
 * no stack trace ever leaves the service: an unexpected failure is a 500 whose {@code errorId} is
 * logged with it.
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

  @ServerExceptionMapper
  public Response unauthorized(UnauthorizedException e, UriInfo uri) {
    return Problems.unauthorized(uri);
  }

  @ServerExceptionMapper
  public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
    return Problems.authenticationFailed(uri);
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return Problems.forbidden(e.getMessage(), uri);
  }

  @ServerExceptionMapper
  public Response badParameter(BadParameterException e, UriInfo uri) {
    return Problems.invalidInput(e.getMessage(), e.field(), uri);
  }

  @ServerExceptionMapper
  public Response outsideTheLog(ProofService.OutsideTheLogException e, UriInfo uri) {
    return Problems.invalidInput(e.getMessage(), e.field(), uri);
  }

  @ServerExceptionMapper
  public Response applicationNotVisible(
      ApplicationScope.ApplicationNotVisibleException e, UriInfo uri) {
    return Problems.respond(
        new Problem(
            Problems.ABOUT_BLANK, "Forbidden", 403, e.getMessage(), uri.getPath(), "application"));
  }

  @ServerExceptionMapper
  public Response storeUnavailable(StoreUnavailableException e, UriInfo uri) {
    // The cause names database internals: logged here, not told to the caller.
    LOG.warn("the audit store cannot serve a request: " + e.getMessage());
    Response answer =
        Problems.respond(
            new Problem(
                Problems.ABOUT_BLANK,
                "Service Unavailable",
                503,
                "The audit store cannot be reached now; try again shortly.",
                uri.getPath(),
                null));
    return Response.fromResponse(answer).header(HttpHeaders.RETRY_AFTER, "5").build();
  }

  @ServerExceptionMapper
  public Response notAudited(NotAuditedException e, UriInfo uri) {
    return Problems.respond(
        new Problem(
            Problems.TYPE_BASE + "not-audited",
            "Nothing audited",
            404,
            e.getMessage(),
            uri.getPath(),
            null));
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    return Problems.webApplication(e, uri, LOG);
  }

  /** Whatever no other mapper claims: a bug or an outage nobody foresaw. */
  @ServerExceptionMapper(priority = Integer.MAX_VALUE)
  public Response unexpected(Throwable e, UriInfo uri) {
    return Problems.unexpected(e, uri, LOG);
  }
}
