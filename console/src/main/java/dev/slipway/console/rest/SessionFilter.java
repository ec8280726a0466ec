package dev.slipway.console.rest;

import dev.slipway.console.session.Session;
import dev.slipway.console.session.Sessions;
import dev.slipway.console.session.Sessions.Notice;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Reads the session cookie of every request to a page: without a valid session the browser is sent
 * to the sign-in page (a request for a page fragment or a stream gets 401). State-changing requests
 * must come from the console's own pages: a cross-site {@code Sec-Fetch-Site}, or without it a
 * foreign {@code Origin}, is refused here, and each such request carries the session's CSRF secret
 * ({@link Forms}).
 */
public class SessionFilter {

  private static final Set<String> OPEN = Set.of("/login", "/login/link", "/login/oidc", "/logout");
  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  private final Sessions sessions;
  private final CurrentSession current;

  public SessionFilter(Sessions sessions, CurrentSession current) {
    this.sessions = sessions;
    this.current = current;
  }

  @ServerRequestFilter(priority = 100)
  public Optional<Response> filter(ContainerRequestContext request) {
    String path = request.getUriInfo().getRequestUri().getPath();
    if (!SAFE.contains(request.getMethod()) && crossSite(request)) {
      return Optional.of(
          Pages.problem(403, "Refused", "A change must be made from the console's own pages."));
    }
    Session session =
        Optional.ofNullable(request.getCookies().get(Sessions.COOKIE))
            .map(Cookie::getValue)
            .flatMap(sessions::open)
            .orElse(null);
    Notice notice =
        Optional.ofNullable(request.getCookies().get(Sessions.NOTICE_COOKIE))
            .map(Cookie::getValue)
            .flatMap(sessions::openNotice)
            .orElse(null);
    current.set(session, notice);
    if (session != null || OPEN.contains(path)) {
      return Optional.empty();
    }
    if (!SAFE.contains(request.getMethod())
        || path.endsWith("/events")
        || request.getHeaderString("HX-Request") != null) {
      return Optional.of(Pages.problem(401, "Not signed in", "Your session ended: sign in again."));
    }
    String back = request.getUriInfo().getRequestUri().getRawPath();
    String query = request.getUriInfo().getRequestUri().getRawQuery();
    String next = back + (query == null ? "" : "?" + query);
    return Optional.of(
        Response.seeOther(
                URI.create("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)))
            .build());
  }

  /** A notice is shown once: the response to the request that read it removes the cookie. */
  @ServerResponseFilter
  public void clearNotice(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getCookies().containsKey(Sessions.NOTICE_COOKIE)
        && SAFE.contains(request.getMethod())
        && !response.getHeaders().containsKey("Set-Cookie")) {
      response.getHeaders().add("Set-Cookie", Cookies.expired(Sessions.NOTICE_COOKIE));
    }
  }

  /**
   * A browser that sends {@code Sec-Fetch-Site} says exactly where the request came from, and the
   * page cannot forge it: that answer decides. Otherwise the {@code Origin} must be this host's.
   * {@code Origin: null} (a sandboxed frame, a privacy setting) is not this host's.
   */
  static boolean crossSite(ContainerRequestContext request) {
    String fetchSite = request.getHeaderString("Sec-Fetch-Site");
    if (fetchSite != null) {
      return !fetchSite.equals("same-origin") && !fetchSite.equals("none");
    }
    String origin = request.getHeaderString("Origin");
    if (origin == null) {
      return false;
    }
    String host = request.getHeaderString("Host");
    return host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host));
  }
}
