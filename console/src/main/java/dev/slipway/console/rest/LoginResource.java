package dev.slipway.console.rest;

import dev.slipway.console.config.ConsoleConfig;
import dev.slipway.console.session.LoginTickets;
import dev.slipway.console.session.Session;
import dev.slipway.console.session.Sessions;
import dev.slipway.console.session.TokenVerifier;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;

/**
 * Signing in and out: a one-time local link (from {@code ./slipway up}), or the team's OIDC
 * provider (code flow) when one is configured; either way the session then holds the user's own
 * token, which every call to a service carries.
 */
@Path("/")
@Blocking
public class LoginResource {

  private final LoginTickets tickets;
  private final Sessions sessions;
  private final CurrentSession current;
  private final ConsoleConfig config;
  private final Forms forms;
  private final SecurityIdentity identity;

  public LoginResource(
      LoginTickets tickets,
      Sessions sessions,
      CurrentSession current,
      ConsoleConfig config,
      Forms forms,
      SecurityIdentity identity) {
    this.tickets = tickets;
    this.sessions = sessions;
    this.current = current;
    this.config = config;
    this.forms = forms;
    this.identity = identity;
  }

  @GET
  @Path("login")
  @Produces(MediaType.TEXT_HTML)
  public TemplateInstance login(@QueryParam("next") String next) {
    return Pages.login(
        PageContext.of("Sign in", "", current), safeNext(next), config.session().oidc(), null);
  }

  /** A one-time local sign-in link: starts a session, then sends the browser on. */
  @GET
  @Path("login/link")
  @Produces(MediaType.TEXT_HTML)
  public Response link(@QueryParam("ticket") String ticket, @QueryParam("next") String next) {
    LoginTickets.Outcome outcome = tickets.redeem(ticket == null ? "" : ticket);
    if (outcome.session() == null) {
      return Response.status(403)
          .type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
          .entity(
              Pages.login(
                      PageContext.of("Sign in", "", current),
                      safeNext(next),
                      config.session().oidc(),
                      outcome.refusal())
                  .render())
          .build();
    }
    return signedIn(outcome.session(), next);
  }

  /**
   * The OIDC code flow's landing: quarkus-oidc ({@code web-app} tenant) sends the browser to the
   * provider and back here authenticated; the session then holds the provider's access token.
   */
  @GET
  @Path("login/oidc")
  @io.quarkus.security.Authenticated
  public Response oidc(@QueryParam("next") String next) {
    if (!config.session().oidc() || identity.isAnonymous()) {
      return Response.seeOther(URI.create("/login")).build();
    }
    AccessTokenCredential credential = identity.getCredential(AccessTokenCredential.class);
    if (credential == null) {
      return Pages.problem(403, "Sign-in failed", "The identity provider gave no access token.");
    }
    Set<String> roles = new LinkedHashSet<>(identity.getRoles());
    String user = identity.getPrincipal().getName();
    if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getClaim("upn") != null) {
      user = jwt.getClaim("upn").toString();
    }
    java.time.Instant expires = java.time.Instant.now().plus(config.session().maxAge());
    if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
      expires = java.time.Instant.ofEpochSecond(jwt.getExpirationTime());
    }
    Session session =
        sessions.start(credential.getToken(), new TokenVerifier.Identity(user, roles, expires));
    return signedIn(session, next);
  }

  @POST
  @Path("logout")
  public Response logout(
      @RestForm("_csrf") String csrf, @RestHeader("X-CSRF-Token") String csrfHeader) {
    current.optional().ifPresent(session -> forms.requireCsrf(session, csrf, csrfHeader));
    return Response.seeOther(URI.create("/login"))
        .header("Set-Cookie", Cookies.expired(Sessions.COOKIE))
        .header("Set-Cookie", Cookies.expired("q_session"))
        .build();
  }

  private Response signedIn(Session session, String next) {
    String cookie = sessions.seal(session);
    if (cookie.length() > 4000) {
      return Pages.problem(
          400,
          "Sign-in failed",
          "The token is too large for a session cookie (" + cookie.length() + " characters).");
    }
    return Response.seeOther(URI.create(safeNext(next)))
        .header("Set-Cookie", Cookies.of(Sessions.COOKIE, cookie, sessions.maxAgeSeconds(session)))
        .build();
  }

  /** Only a path of this console: never another site (an open redirect). */
  static String safeNext(String next) {
    if (next == null
        || !next.startsWith("/")
        || next.startsWith("//")
        || next.startsWith("/\\")
        || next.chars().anyMatch(c -> c < 0x20)) {
      return "/";
    }
    return next;
  }
}
