package dev.slipway.deploy.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.slipway.problem.ProblemException;
import dev.slipway.problem.Problems;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Answers every failure a caller can cause with an RFC 9457 problem through the shared {@link
 * Problems}: the service's own {@link ProblemException}s, a missing, expired or untrusted token, a
 * role the operation does not allow, an invalid parameter or body, and the JAX-RS errors of
 * routing; anything unexpected is a 500 whose {@code errorId} is logged with the stack trace.
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    return Problems.of(e, uri, LOG);
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
    return Problems.badJson(e, uri);
  }

  // Quarkus maps this subtype itself unless a mapper names it exactly.
  @ServerExceptionMapper
  public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
    return Problems.badJson(e, uri);
  }

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
  public Response invalidParameter(ConstraintViolationException e, UriInfo uri) {
    return Problems.invalidParameter(e, uri);
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
