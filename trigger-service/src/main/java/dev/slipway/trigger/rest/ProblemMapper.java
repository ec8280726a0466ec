package dev.slipway.trigger.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.slipway.problem.Problem;
import dev.slipway.problem.ProblemException;
import dev.slipway.problem.Problems;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into an RFC 9457 problem through the shared {@link Problems}: the service's
 * own {@link ProblemException}s, request bodies Jackson cannot read (an unknown property named by
 * its path), a concurrent change of an application (409), the JAX-RS errors of routing, and, last,
 * anything unexpected: a 500 whose {@code errorId} is logged with the stack trace.
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

  // Quarkus maps these subtypes itself unless a mapper names them exactly.
  @ServerExceptionMapper
  public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
    return Problems.badJson(e, uri);
  }

  @ServerExceptionMapper
  public Response unknownProperty(UnrecognizedPropertyException e, UriInfo uri) {
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

  // A type the API cannot read is the service's bug, not the caller's: a 500 like any other.
  @ServerExceptionMapper
  public Response unreadableType(InvalidDefinitionException e, UriInfo uri) {
    return Problems.unexpected(e, uri, LOG);
  }

  @ServerExceptionMapper({OptimisticLockException.class, StaleStateException.class})
  public Response concurrentChange(RuntimeException e, UriInfo uri) {
    return Problems.respond(
        new Problem(
            Problems.TYPE_BASE + "concurrent-change",
            "Changed concurrently",
            409,
            "The application was changed by another request meanwhile; read it and retry.",
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
