package dev.slipway.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
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

/**
 * The answers every service gives to the failures they all meet, as RFC 9457 problems. Each
 * service's {@code rest.ProblemMapper} keeps the {@code @ServerExceptionMapper} methods (Quarkus
 * finds them there without indexing this jar) and delegates to these. Anything unexpected is a 500
 * whose {@code errorId} is logged with the stack trace, so an operator finds it and the caller
 * learns nothing internal.
 */
public final class Problems {

  /** The prefix of Slipway's own problem type URIs. */
  public static final String TYPE_BASE = "https://slipway.dev/problems/";

  /** The type of a problem that means no more than its HTTP status. */
  public static final String ABOUT_BLANK = "about:blank";

  /** The type of a 400 naming the input at fault. */
  public static final String INVALID_INPUT = TYPE_BASE + "invalid-input";

  private Problems() {}

  /** A response carrying the problem, with its status and {@code application/problem+json}. */
  public static Response respond(Problem problem) {
    return builder(problem).build();
  }

  /** The service's own refusal; a 5xx gets an {@code errorId} that is logged with its kind. */
  public static Response of(ProblemException e, UriInfo uri, Logger log) {
    String errorId = null;
    if (e.status() >= 500) {
      errorId = newErrorId();
      log.errorf("error %s at %s: %s %s", errorId, path(uri), e.kind(), e.getMessage());
    }
    Response.ResponseBuilder response =
        builder(
            new Problem(
                e.type(), e.title(), e.status(), e.getMessage(), path(uri), e.field(), errorId));
    e.headers().forEach(response::header);
    return response.build();
  }

  /** 400 for the service's own check of an input, naming the field. */
  public static Response invalidInput(String detail, String field, UriInfo uri) {
    return respond(new Problem(INVALID_INPUT, "Invalid input", 400, detail, path(uri), field));
  }

  /** 400 for a Bean Validation constraint on a parameter or body, naming its last path node. */
  public static Response invalidParameter(ConstraintViolationException e, UriInfo uri) {
    ConstraintViolation<?> violation = e.getConstraintViolations().iterator().next();
    String path = violation.getPropertyPath().toString();
    String field = path.substring(path.lastIndexOf('.') + 1);
    return invalidInput("'" + field + "' " + violation.getMessage() + ".", field, uri);
  }

  /**
   * 400 for a body Jackson cannot read: a wrong type names its field by JSON path ({@code
   * environments[1].name}), an unknown property names itself below that path.
   */
  public static Response badJson(JsonProcessingException e, UriInfo uri) {
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
    return invalidInput(detail, field, uri);
  }

  /**
   * The JAX-RS errors of routing and reading: a body Jackson could not read is {@link #badJson}, a
   * parameter JAX-RS could not convert (its 404 with a cause) is a 400, a 5xx goes through {@link
   * #unexpected}, anything else keeps its status with the reason phrase as title.
   */
  public static Response webApplication(WebApplicationException e, UriInfo uri, Logger log) {
    if (e.getCause() instanceof JsonProcessingException json) {
      return badJson(json, uri);
    }
    if (e instanceof NotFoundException && e.getCause() != null) {
      return invalidInput("A parameter could not be read: " + e.getCause().getMessage(), null, uri);
    }
    int status = e.getResponse().getStatus();
    if (status >= 500) {
      return unexpected(e, uri, log);
    }
    Response.Status known = Response.Status.fromStatusCode(status);
    String title = known == null ? "HTTP " + status : known.getReasonPhrase();
    String detail = status == 404 ? "There is nothing at this path." : e.getMessage();
    return respond(new Problem(ABOUT_BLANK, title, status, detail, path(uri), null));
  }

  /** 401 for a request without a bearer token. */
  public static Response unauthorized(UriInfo uri) {
    return notAuthenticated("A bearer token is required.", uri);
  }

  /** 401 for a bearer token that is expired, malformed or signed by someone not trusted. */
  public static Response authenticationFailed(UriInfo uri) {
    return notAuthenticated("The bearer token is expired, malformed or not trusted.", uri);
  }

  /** 403 for a token without a role the operation allows. */
  public static Response forbidden(UriInfo uri) {
    return forbidden(null, uri);
  }

  /**
   * 403 saying why: which roles the operation needs and where (a scope check names the application,
   * environment and team); without a reason, that no role of the token allows it.
   */
  public static Response forbidden(String reason, UriInfo uri) {
    return respond(
        new Problem(
            ABOUT_BLANK,
            "Forbidden",
            403,
            reason == null || reason.isBlank()
                ? "The token does not hold a role this operation allows."
                : reason,
            path(uri),
            null));
  }

  /** 500 for whatever nothing else claims: a bug or an outage nobody foresaw. */
  public static Response unexpected(Throwable e, UriInfo uri, Logger log) {
    String errorId = newErrorId();
    if (clientWentAway(e)) {
      // Nobody is left to answer; not a failure of the service.
      log.debugf("error %s at %s: the client closed the connection", errorId, path(uri));
    } else {
      log.errorf(e, "error %s at %s: unexpected failure", errorId, path(uri));
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

  /** Whether the failure, or any of its causes, is the client closing the connection. */
  static boolean clientWentAway(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof HttpClosedException) {
        return true;
      }
    }
    return false;
  }

  private static Response notAuthenticated(String detail, UriInfo uri) {
    return builder(new Problem(ABOUT_BLANK, "Unauthorized", 401, detail, path(uri), null))
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  private static String pathOf(JsonMappingException mapping) {
    return mapping.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .filter(Objects::nonNull)
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static Response.ResponseBuilder builder(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
  }

  private static String newErrorId() {
    return UUID.randomUUID().toString();
  }

  private static String path(UriInfo uri) {
    return uri == null ? null : uri.getPath();
  }
}
