package dev.slipway.console.rest;

import dev.slipway.console.client.ApiResult;
import dev.slipway.console.session.Session;
import dev.slipway.console.session.Sessions;
import dev.slipway.console.session.Sessions.Notice;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The end of every state-changing request: the CSRF check before anything is sent to a service, and
 * the answer after (303 back to the page, with the outcome as a one-shot notice: a browser that
 * reloads does not repeat the change).
 */
@ApplicationScoped
public class Forms {

  private final Sessions sessions;

  public Forms(Sessions sessions) {
    this.sessions = sessions;
  }

  /**
   * Refuses the request unless it carries the session's CSRF secret (form field {@code _csrf}, or
   * the {@code X-CSRF-Token} header that htmx requests send).
   */
  public void requireCsrf(Session session, String field, String header) {
    String presented = field != null && !field.isEmpty() ? field : header;
    if (!Sessions.csrfMatches(session, presented)) {
      throw new CsrfRefused();
    }
  }

  /** 303 to {@code back} with a notice saying how {@code result} went. */
  public Response after(ApiResult<?> result, String done, String back) {
    Notice notice =
        result.ok()
            ? new Notice("ok", done)
            : new Notice(
                "refused",
                result.problem().forbidden() && result.problem().detail() != null
                    ? result.problem().detail()
                    : result.problem().summary());
    return Response.seeOther(URI.create(back))
        .header("Set-Cookie", Cookies.of(Sessions.NOTICE_COOKIE, sessions.sealNotice(notice), 120))
        .build();
  }

  /** A request without the CSRF secret: 403, nothing sent to any service. */
  public static final class CsrfRefused extends RuntimeException {
    CsrfRefused() {
      super("the request does not carry the session's CSRF token", null, false, false);
    }
  }
}
