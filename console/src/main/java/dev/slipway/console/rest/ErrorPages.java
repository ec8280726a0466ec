package dev.slipway.console.rest;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Refusals and failures as pages, and no caching of any page (each shows one user's data). */
public class ErrorPages {

  private static final Logger LOG = Logger.getLogger(ErrorPages.class);

  @ServerExceptionMapper
  public Response csrf(Forms.CsrfRefused refused) {
    return Pages.problem(
        403,
        "Refused",
        "This form has expired or did not come from the console: reload the page and try again.");
  }

  @ServerExceptionMapper
  public Response notFound(NotFoundException missing) {
    return Pages.problem(404, "Not found", "The console has no such page.");
  }

  @ServerExceptionMapper
  public Response web(jakarta.ws.rs.WebApplicationException refused) {
    int status = refused.getResponse().getStatus();
    return Pages.problem(
        status,
        refused.getResponse().getStatusInfo().getReasonPhrase(),
        "The console cannot answer this request (" + status + ").");
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException failure) {
    String id = java.util.UUID.randomUUID().toString().substring(0, 8);
    LOG.errorf(failure, "page failed (error %s)", id);
    return Pages.problem(500, "The page failed", "The console logged it as error " + id + ".");
  }

  @ServerResponseFilter
  public void noStore(ContainerResponseContext response) {
    response.getHeaders().putSingle("Cache-Control", "no-store");
  }
}
