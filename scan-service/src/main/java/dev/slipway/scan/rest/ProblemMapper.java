package dev.slipway.scan.rest;

import dev.slipway.events.EventFormatException;
import dev.slipway.problem.Problem;
import dev.slipway.problem.ProblemException;
import dev.slipway.problem.Problems;
import dev.slipway.scan.sbom.SbomReader.SbomFormatException;
import dev.slipway.scan.service.AdvisoryImporter.UploadTooLargeException;
import dev.slipway.scan.service.AdvisoryImporter.ZipFormatException;
import dev.slipway.scan.service.RequestException;
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
 * Problems}: a missing, expired or untrusted token, a role the operation does not allow, an invalid
 * query parameter, SBOM, advisory archive or event (naming the field), an upload too large,
 * something unknown, and the JAX-RS errors of routing; anything unexpected is a 500 whose {@code
 * errorId} is logged with the stack trace.
 */
public class ProblemMapper {

  private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

  @ServerExceptionMapper
  public Response problem(ProblemException e, UriInfo uri) {
    return Problems.of(e, uri, LOG);
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
  public Response refused(RequestException e, UriInfo uri) {
    return switch (e.kind()) {
      case INVALID -> Problems.invalidInput(e.getMessage(), e.field(), uri);
      case UNKNOWN -> plain(404, "Not Found", e.getMessage(), null, uri);
      case TOO_LARGE -> plain(413, "Content Too Large", e.getMessage(), e.field(), uri);
    };
  }

  @ServerExceptionMapper
  public Response sbomFormat(SbomFormatException e, UriInfo uri) {
    return Problems.invalidInput(e.getMessage(), "sbom", uri);
  }

  @ServerExceptionMapper
  public Response zipFormat(ZipFormatException e, UriInfo uri) {
    return Problems.invalidInput(e.getMessage(), "body", uri);
  }

  @ServerExceptionMapper
  public Response uploadTooLarge(UploadTooLargeException e, UriInfo uri) {
    return plain(413, "Content Too Large", e.getMessage(), "body", uri);
  }

  @ServerExceptionMapper
  public Response eventFormat(EventFormatException e, UriInfo uri) {
    return Problems.invalidInput(e.getMessage(), e.field(), uri);
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

  /** A problem that means no more than its HTTP status. */
  private static Response plain(
      int status, String title, String detail, String field, UriInfo uri) {
    return Problems.respond(
        new Problem(Problems.ABOUT_BLANK, title, status, detail, uri.getPath(), field));
  }
}
