package dev.slipway.testsupport;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.response.Response;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;

/**
 * A real OIDC provider in the test JVM (mock-oauth2-server on loopback: discovery, JWKS, an
 * interactive login page, the authorization-code flow), trusted by the service under test as issuer
 * {@value #ISSUER_NAME} with Dex's claim layout: groups in {@code groups}, the Git host account a
 * user federated through in {@code federated_claims}. {@link #login} signs a user in the way a
 * browser would and returns their access token.
 */
public class OidcProvider implements QuarkusTestResourceLifecycleManager {

  /** The issuer's name in the services' configuration. */
  public static final String ISSUER_NAME = "corp";

  private static final String REDIRECT = "http://127.0.0.1/callback";
  private static final String CLIENT = "slipway-console";
  private static MockOAuth2Server server;

  @Override
  public Map<String, String> start() {
    server = new MockOAuth2Server(OAuth2Config.Companion.fromJson("{\"interactiveLogin\": true}"));
    try {
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    String prefix = "slipway.auth.issuers." + ISSUER_NAME + ".";
    return Map.of(
        prefix + "issuer", issuer(),
        prefix + "groups-claim", "groups",
        prefix + "account-provider-claim", "federated_claims/connector_id",
        prefix + "account-id-claim", "federated_claims/user_id",
        prefix + "account-login-claim", "preferred_username");
  }

  @Override
  public void stop() {
    if (server != null) {
      server.shutdown();
    }
  }

  /** The issuer URL its tokens carry. */
  public static String issuer() {
    return server.issuerUrl(ISSUER_NAME).toString().replaceAll("/$", "");
  }

  /**
   * Signs {@code username} in through the login page with {@code claimsJson} (the claims the
   * identity provider would assert, e.g. groups) and exchanges the code for tokens: the access
   * token, as a client of Slipway's API would send it.
   */
  public static String login(String username, String claimsJson) {
    String authorize = issuer() + "/authorize";
    Map<String, String> query =
        Map.of(
            "client_id",
            CLIENT,
            "response_type",
            "code",
            "redirect_uri",
            REDIRECT,
            "scope",
            "openid profile email groups",
            "state",
            UUID.randomUUID().toString(),
            "nonce",
            UUID.randomUUID().toString());
    given().redirects().follow(false).queryParams(query).get(authorize).then().statusCode(200);
    Response signedIn =
        given()
            .redirects()
            .follow(false)
            .queryParams(query)
            .formParam("username", username)
            .formParam("claims", claimsJson)
            .post(authorize);
    if (signedIn.statusCode() != 302) {
      throw new IllegalStateException(
          "login of "
              + username
              + " answered "
              + signedIn.statusCode()
              + ": "
              + signedIn.asString());
    }
    String code = null;
    for (String part : URI.create(signedIn.header("Location")).getRawQuery().split("&")) {
      if (part.startsWith("code=")) {
        code =
            java.net.URLDecoder.decode(part.substring(5), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return given()
        .formParam("grant_type", "authorization_code")
        .formParam("code", code)
        .formParam("redirect_uri", REDIRECT)
        .formParam("client_id", CLIENT)
        .formParam("client_secret", "not-checked")
        .post(issuer() + "/token")
        .then()
        .statusCode(200)
        .extract()
        .path("access_token");
  }
}
