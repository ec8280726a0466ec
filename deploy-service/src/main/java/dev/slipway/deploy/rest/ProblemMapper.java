package dev.slipway.deploy.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.slipway.deploy.problem.ProblemException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpClosedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Answers every failure a caller can cause with an RFC 9457 problem: the service's own {@link
 * ProblemException}s, a missing, expired or untrusted token, a role the operation does not allow,
 * an invalid parameter or body, and the JAX-RS errors of routing; anything unexpected is a 500
 * whose {@code errorId} is logged with the stack trace.
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
  private static final String ABOUT_BLANK = "about:blank";
  private static final String INVALID_INPUT = "https://slipway.dev/problems/invalid-input";

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    return respond(
        new Problem(e.type(), e.title(), e.status(), e.getMessage(), path(uri), e.field()));
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
    return badJson(e, uri);
  }

  // Quarkus maps this subtype itself unless a mapper names it exactly.
  @ServerExceptionMapper
  public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
    return badJson(e, uri);
  }

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
  public Response invalidParameter(ConstraintViolationException e, UriInfo uri) {
    ConstraintViolation<?> violation = e.getConstraintViolations().iterator().next();
    String path = violation.getPropertyPath().toString();
    String field = path.substring(path.lastIndexOf('.') + 1);
    return respond(
        new Problem(
            INVALID_INPUT,
            "Invalid input",
            400,
            "'" + field + "' " + violation.getMessage() + ".",
            path(uri),
            field));
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    if (e.getCause() instanceof JsonProcessingException json) {
      return badJson(json, uri);
    }
    if (e instanceof NotFoundException && e.getCause() != null) {
      // JAX-RS answers a parameter it cannot convert with 404; it is bad input.
      return respond(
          new Problem(
              INVALID_INPUT,
              "Invalid input",
              400,
              "A parameter could not be read: " + e.getCause().getMessage(),
              path(uri),
              null));
    }
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

  private static Response badJson(JsonProcessingException e, UriInfo uri) {
    String field = null;
    String detail = "The body is not valid JSON.";
    if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      field =
          mapping.getPath().stream()
              .map(
                  ref ->
                      ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
              .filter(Objects::nonNull)
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      detail = "Field '" + field + "' has the wrong type.";
    }
    return respond(new Problem(INVALID_INPUT, "Invalid input", 400, detail, path(uri), field));
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
