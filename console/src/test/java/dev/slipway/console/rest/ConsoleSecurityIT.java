package dev.slipway.console.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.slipway.console.session.LoginTickets;
import dev.slipway.console.session.SealedBox;
import dev.slipway.console.session.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console's trust boundaries, attacked: no page without a session, a sign-in link used twice,
 * forged and tampered cookies, state changes without the CSRF secret or from another site, and the
 * headers and markup every page must carry (CSP, cookie attributes, no inline script or style).
 */
@QuarkusTest
@QuarkusTestResource(value = ConsoleTestProfile.class, restrictToAnnotatedClass = true)
class ConsoleSecurityIT {

  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private static final Pattern SESSION = Pattern.compile("slipway_session=([^;]+)");
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  static String ticket(String user, List<String> roles) {
    String token = TestKeys.token(user, roles, Instant.now().plus(Duration.ofHours(1)));
    return new SealedBox(ConsoleTestProfile.SESSION_KEY)
        .seal(
            LoginTickets.PURPOSE,
            "{\"token\":\""
                + token
                + "\",\"exp\":"
                + Instant.now().plusSeconds(120).getEpochSecond()
                + ",\"nonce\":\""
                + UUID.randomUUID()
                + "\"}");
  }

  /** Signs in through a fresh link; returns the session cookie's value. */
  static String signIn(String user, String... roles) {
    String setCookie =
        given()
            .redirects()
            .follow(false)
            .queryParam("ticket", ticket(user, List.of(roles)))
            .get("/login/link")
            .then()
            .statusCode(303)
            .extract()
            .header("Set-Cookie");
    Matcher m = SESSION.matcher(setCookie);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void withoutASessionEveryPageSendsToSignIn() {
    for (String page :
        List.of("/", "/approvals", "/audit", "/exposure", "/builds/x", "/apps/shop")) {
      given()
          .redirects()
          .follow(false)
          .get(page)
          .then()
          .statusCode(303)
          .header("Location", containsString("/login?next="));
    }
    given().get("/builds/x/log/events").then().statusCode(401);
  }

  @Test
  void everyResponseCarriesTheStrictContentSecurityPolicy() {
    for (String path :
        List.of(
            "/login",
            "/static/console.css",
            "/static/console.js",
            "/_static/htmx.org/2.0.2/dist/htmx.min.js")) {
      given()
          .get(path)
          .then()
          .statusCode(200)
          .header("Content-Security-Policy", equalTo(CSP))
          .header("X-Content-Type-Options", "nosniff")
          .header("X-Frame-Options", "DENY")
          .header("Referrer-Policy", "same-origin");
    }
  }

  @Test
  void aSignInLinkSignsInOnceWithASecureHttpOnlySameSiteCookie() {
    String ticket = ticket("grace", List.of("approver", "viewer"));
    Response first =
        given().redirects().follow(false).queryParam("ticket", ticket).get("/login/link");
    assertThat(first.statusCode()).isEqualTo(303);
    assertThat(first.header("Location")).endsWith("/");
    String cookie = first.header("Set-Cookie");
    assertThat(cookie)
        .startsWith("slipway_session=")
        .contains("; HttpOnly")
        .contains("; Secure")
        .contains("; SameSite=Lax")
        .contains("; Path=/");
    given()
        .queryParam("ticket", ticket)
        .get("/login/link")
        .then()
        .statusCode(403)
        .body(containsString("used already"))
        .header("Set-Cookie", org.hamcrest.Matchers.nullValue());
  }

  @Test
  void forgedAndTamperedSessionsAreNotSessions() {
    String session = signIn("grace", "viewer");
    String tampered = session.substring(0, session.length() - 3) + "abc";
    String forged =
        new SealedBox(
                java.util.Base64.getEncoder()
                    .encodeToString("0123456789abcdef0123456789abcdef".getBytes()))
            .seal(
                "session",
                "{\"u\":\"admin\",\"r\":[\"admin\"],\"t\":\"x\",\"e\":9999999999,\"c\":\"c\"}");
    for (String cookie : List.of(tampered, forged, "garbage")) {
      given()
          .redirects()
          .follow(false)
          .cookie("slipway_session", cookie)
          .get("/approvals")
          .then()
          .statusCode(303)
          .header(
              "Location",
              org.hamcrest.Matchers.matchesPattern("(http://localhost:\\d+)?/login\\?.*"));
    }
  }

  @Test
  void aPageRendersWhenServicesDoNotAnswerAndSaysSo() {
    String session = signIn("grace", "viewer", "approver");
    for (String page :
        List.of("/", "/approvals", "/audit", "/exposure?vulnerability=CVE-2021-44906")) {
      String html =
          given()
              .cookie("slipway_session", session)
              .get(page)
              .then()
              .statusCode(200)
              .header("Content-Security-Policy", equalTo(CSP))
              .header("Cache-Control", "no-store")
              // Where the time went: each service call (answered or not) and the handler's own.
              .header(
                  "Server-Timing",
                  org.hamcrest.Matchers.matchesPattern(
                      "(?:(?:trigger|build|scan|deploy|audit);desc=\"/api/[^\"]+\";dur=[0-9.]+, )+"
                          + "handler;dur=[0-9.]+"))
              .extract()
              .asString();
      assertThat(html).contains("grace").contains("did not answer");
      assertThat(html).doesNotContain("style=").doesNotContainPattern("<script(?![^>]*\\ssrc=)");
    }
  }

  @Test
  void aChangeWithoutTheCsrfSecretIsRefusedBeforeAnyServiceIsAsked() {
    String session = signIn("grace", "approver", "viewer");
    String csrf = csrfOf(session);
    given()
        .cookie("slipway_session", session)
        .formParam("x", "y")
        .post("/approvals/a1/approve")
        .then()
        .statusCode(403)
        .body(containsString("did not come from the console"));
    given()
        .cookie("slipway_session", session)
        .formParam("_csrf", csrf + "x")
        .post("/approvals/a1/approve")
        .then()
        .statusCode(403);
    // Another user's secret does not fit this session.
    String other = csrfOf(signIn("mallory", "approver"));
    given()
        .cookie("slipway_session", session)
        .formParam("_csrf", other)
        .post("/builds/b1/cancel")
        .then()
        .statusCode(403);
    for (String change :
        List.of(
            "/rollouts/r1/abort",
            "/builds/b1/retry",
            "/apps/shop/environments/prod/rollback",
            "/approvals/a1/reject")) {
      given()
          .cookie("slipway_session", session)
          .formParam("revision", "1")
          .post(change)
          .then()
          .statusCode(403);
    }
    // The right secret passes the check; deploy-service does not answer here, which the notice
    // says.
    Response done =
        given()
            .redirects()
            .follow(false)
            .cookie("slipway_session", session)
            .formParam("_csrf", csrf)
            .post("/approvals/a1/approve");
    assertThat(done.statusCode()).isEqualTo(303);
    assertThat(done.header("Set-Cookie")).startsWith("slipway_notice=").contains("HttpOnly");
  }

  @Test
  void aFormPostWithTheHeadersChromiumSendsIsAccepted() {
    String session = signIn("grace", "approver");
    String csrf = csrfOf(session);
    String self = "http://localhost:" + io.restassured.RestAssured.port;
    // What Chromium sends when the Approve button submits the form: the page's origin (or "null"
    // under a stricter referrer policy) and Sec-Fetch-Site: same-origin.
    for (String origin : List.of(self, "null")) {
      Response done =
          given()
              .redirects()
              .follow(false)
              .cookie("slipway_session", session)
              .header("Origin", origin)
              .header("Referer", self + "/approvals")
              .header("Sec-Fetch-Site", "same-origin")
              .header("Sec-Fetch-Mode", "navigate")
              .header("Sec-Fetch-Dest", "document")
              .header("Sec-Fetch-User", "?1")
              .formParam("_csrf", csrf)
              .post("/approvals/a1/approve");
      assertThat(done.statusCode()).as("Origin: %s", origin).isEqualTo(303);
    }
    // The same request from another site, or from a sibling site, is refused even with the secret.
    for (String[] from :
        List.of(
            new String[] {"https://evil.example", "cross-site"},
            new String[] {"https://other.localhost", "same-site"},
            new String[] {"null", "cross-site"})) {
      given()
          .cookie("slipway_session", session)
          .header("Origin", from[0])
          .header("Sec-Fetch-Site", from[1])
          .header("Sec-Fetch-Mode", "navigate")
          .formParam("_csrf", csrf)
          .post("/approvals/a1/approve")
          .then()
          .statusCode(403);
    }
    // Without Sec-Fetch-Site (an older browser), an opaque origin is not this host's.
    given()
        .cookie("slipway_session", session)
        .header("Origin", "null")
        .formParam("_csrf", csrf)
        .post("/approvals/a1/approve")
        .then()
        .statusCode(403);
  }

  @Test
  void aChangeFromAnotherSiteIsRefusedEvenWithTheSecret() {
    String session = signIn("grace", "approver");
    String csrf = csrfOf(session);
    given()
        .cookie("slipway_session", session)
        .header("Origin", "https://evil.example")
        .formParam("_csrf", csrf)
        .post("/approvals/a1/approve")
        .then()
        .statusCode(403);
    given()
        .cookie("slipway_session", session)
        .header("Sec-Fetch-Site", "cross-site")
        .formParam("_csrf", csrf)
        .post("/approvals/a1/reject")
        .then()
        .statusCode(403);
  }

  @Test
  void signingOutRemovesTheCookie() {
    String session = signIn("grace", "viewer");
    List<String> cookies =
        given()
            .redirects()
            .follow(false)
            .cookie("slipway_session", session)
            .formParam("_csrf", csrfOf(session))
            .post("/logout")
            .then()
            .statusCode(303)
            .extract()
            .headers()
            .getValues("Set-Cookie");
    assertThat(cookies)
        .anySatisfy(c -> assertThat(c).startsWith("slipway_session=; Path=/; Max-Age=0"));
  }

  @Test
  void anOpenRedirectThroughTheSignInLinkIsNotFollowed() {
    given()
        .redirects()
        .follow(false)
        .queryParam("ticket", ticket("grace", List.of("viewer")))
        .queryParam("next", "https://evil.example/")
        .get("/login/link")
        .then()
        .statusCode(303)
        .header("Location", org.hamcrest.Matchers.not(containsString("evil")));
  }

  private static String csrfOf(String session) {
    String html = given().cookie("slipway_session", session).get("/exposure").asString();
    Matcher m = CSRF.matcher(html);
    assertThat(m.find()).as("the page has a form with the CSRF secret").isTrue();
    return m.group(1);
  }
}
