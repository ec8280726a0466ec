package dev.slipway.trigger.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.slipway.trigger.problem.ProblemException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpClosedException;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into an RFC 9457 problem: the service's own {@link ProblemException}s,
 * request bodies Jackson cannot read (an unknown property named by its path), the JAX-RS errors of
 * routing, and, last, anything unexpected: a 500 whose {@code errorId} is logged with the stack
 * trace, so an operator finds it and the caller learns nothing internal.
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
  private static final String ABOUT_BLANK = "about:blank";
  private static final String INVALID_INPUT = "https://slipway.dev/problems/invalid-input";

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    String errorId = null;
    if (e.status() >= 500) {
      errorId = newErrorId();
      LOG.errorf("error %s at %s: %s %s", errorId, path(uri), e.kind(), e.getMessage());
    }
    Response.ResponseBuilder response =
        respond(
            new Problem(
                e.type(), e.title(), e.status(), e.getMessage(), path(uri), e.field(), errorId));
    e.headers().forEach(response::header);
    return response.build();
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
    return badJson(e, uri);
  }

  // Quarkus maps these subtypes itself unless a mapper names them exactly.
  @ServerExceptionMapper
  public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
    return badJson(e, uri);
  }

  @ServerExceptionMapper
  public Response unknownProperty(UnrecognizedPropertyException e, UriInfo uri) {
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
                "The token does not hold a role this operation needs.",
                path(uri),
                null))
        .build();
  }

  // A type the API cannot read is the service's bug, not the caller's: a 500 like any other.
  @ServerExceptionMapper
  public Response unreadableType(InvalidDefinitionException e, UriInfo uri) {
    return unexpected(e, uri);
  }

  @ServerExceptionMapper({OptimisticLockException.class, StaleStateException.class})
  public Response concurrentChange(RuntimeException e, UriInfo uri) {
    return respond(
            new Problem(
                "https://slipway.dev/problems/concurrent-change",
                "Changed concurrently",
                409,
                "The application was changed by another request meanwhile; read it and retry.",
                path(uri),
                null))
        .build();
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    if (e.getCause() instanceof JsonProcessingException json) {
      return badJson(json, uri);
    }
    int status = e.getResponse().getStatus();
    if (status >= 500) {
      return unexpected(e, uri);
    }
    Response.Status known = Response.Status.fromStatusCode(status);
    String title = known == null ? "HTTP " + status : known.getReasonPhrase();
    String detail = status == 404 ? "There is nothing at this path." : e.getMessage();
    return respond(new Problem(ABOUT_BLANK, title, status, detail, path(uri), null)).build();
  }

  /** Whatever no other mapper claims: a bug or an outage nobody foresaw. */
  @ServerExceptionMapper(priority = Integer.MAX_VALUE)
  public Response unexpected(Throwable e, UriInfo uri) {
    String errorId = newErrorId();
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
                errorId))
        .build();
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
      field = pathOf(mapping);
      detail = "Field '" + field + "' has the wrong type.";
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      String name = unknown.getPropertyName();
      field = field == null || field.isEmpty() ? name : field;
      if (!field.equals(name) && !field.endsWith("." + name)) {
        field = field + "." + name;
      }
      detail = "Property '" + field + "' is not known; see the API's schema for the properties.";
    }
    return respond(new Problem(INVALID_INPUT, "Invalid input", 400, detail, path(uri), field))
        .build();
  }

  private static String pathOf(JsonMappingException mapping) {
    return mapping.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .filter(Objects::nonNull)
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static Response notAuthenticated(String detail, UriInfo uri) {
    return respond(new Problem(ABOUT_BLANK, "Unauthorized", 401, detail, path(uri), null))
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  private static Response.ResponseBuilder respond(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
  }

  private static String newErrorId() {
    return UUID.randomUUID().toString();
  }

  private static String path(UriInfo uri) {
    return uri == null ? null : uri.getPath();
  }
}
