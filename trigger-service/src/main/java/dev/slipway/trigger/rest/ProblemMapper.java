package dev.slipway.trigger.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.slipway.trigger.problem.ProblemException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure a caller can cause into an RFC 9457 problem: the service's own {@link
 * ProblemException}s, request bodies Jackson cannot read, and the JAX-RS errors of routing (unknown
 * path, wrong method, wrong media type).
 */
public class ProblemMapper {

  private static final String ABOUT_BLANK = "about:blank";

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    Response.ResponseBuilder response =
        respond(new Problem(e.type(), e.title(), e.status(), e.getMessage(), path(uri), e.field()));
    e.headers().forEach(response::header);
    return response.build();
  }

  @ServerExceptionMapper
  public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
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

  // Quarkus maps this subtype itself unless a mapper names it exactly.
  @ServerExceptionMapper
  public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
    return badJson(e, uri);
  }

  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    if (e.getCause() instanceof JsonProcessingException json) {
      return badJson(json, uri);
    }
    int status = e.getResponse().getStatus();
    Response.Status known = Response.Status.fromStatusCode(status);
    String title = known == null ? "HTTP " + status : known.getReasonPhrase();
    String detail = status == 404 ? "There is nothing at this path." : e.getMessage();
    return respond(new Problem(ABOUT_BLANK, title, status, detail, path(uri), null)).build();
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
    return respond(
            new Problem(
                "https://slipway.dev/problems/invalid-input",
                "Invalid input",
                400,
                detail,
                path(uri),
                field))
        .build();
  }

  private static Response notAuthenticated(String detail, UriInfo uri) {
    return respond(new Problem(ABOUT_BLANK, "Unauthorized", 401, detail, path(uri), null))
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  private static Response.ResponseBuilder respond(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
  }

  private static String path(UriInfo uri) {
    return uri == null ? null : uri.getPath();
  }
}
