package dev.slipway.testsupport;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.restassured.response.ValidatableResponse;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The one error contract of every Slipway service: every error a caller sees is an RFC 9457 problem
 * ({@code application/problem+json}) with the same members everywhere ({@code type}, {@code title},
 * {@code status}, {@code detail}, {@code instance}, and {@code field} naming the input at fault for
 * a 400), for 400, 401, 403, 404 (of a thing and of a path), 405 and an unexpected 500. A service's
 * test extends this with one request of each kind; the unexpected failure comes from a test-only
 * resource ({@link #failingPath()}) that throws, so the service's catch-all answer is what is
 * tested.
 */
public abstract class ProblemContract {

  /** The members a problem may have; nothing else, so one name serves one thing everywhere. */
  public static final Set<String> MEMBERS =
      Set.of("type", "title", "status", "detail", "instance", "field", "errorId");

  private static final String PROBLEM_JSON = "application/problem+json";

  /** A GET under {@code /api} that a viewer may read. */
  protected abstract String protectedPath();

  /** A GET a viewer makes with one bad query parameter. */
  protected abstract String badRequestPath();

  /**
   * The parameter {@link #badRequestPath()} gets wrong, which the problem's {@code field} names.
   */
  protected abstract String badRequestField();

  /** A GET of something that does not exist. */
  protected abstract String notFoundPath();

  /** A role that may not read {@link #protectedPath()}. */
  protected String forbiddenRole() {
    return "contractor";
  }

  /** A test-only GET that throws an unexpected exception. */
  protected String failingPath() {
    return "/api/test-only/failure";
  }

  @Test
  void badInputIsA400ProblemNamingTheField() {
    assertProblem(viewer().get(badRequestPath()).then(), 400)
        .body("field", equalTo(badRequestField()));
  }

  @Test
  void missingTokenIsA401Problem() {
    assertProblem(given().when().get(protectedPath()).then(), 401);
  }

  @Test
  void wrongRoleIsA403Problem() {
    assertProblem(
        given()
            .auth()
            .oauth2(TestTokens.token("bob", forbiddenRole()))
            .when()
            .get(protectedPath())
            .then(),
        403);
  }

  @Test
  void unknownThingIsA404Problem() {
    assertProblem(viewer().get(notFoundPath()).then(), 404);
  }

  @Test
  void unknownPathIsA404Problem() {
    assertProblem(viewer().get("/api/no-such-resource/anywhere").then(), 404);
  }

  @Test
  void unsupportedMethodIsA405Problem() {
    assertProblem(viewer().patch(protectedPath()).then(), 405);
  }

  @Test
  void unexpectedFailureIsA500ProblemWithAnIdAndNoStackTrace() {
    assertProblem(viewer().get(failingPath()).then(), 500)
        .body("errorId", not(emptyOrNullString()))
        .body("detail", not(org.hamcrest.Matchers.containsString("Exception")))
        .body("detail", not(org.hamcrest.Matchers.containsString("\tat ")));
  }

  private static io.restassured.specification.RequestSpecification viewer() {
    return given().auth().oauth2(TestTokens.token("vera", "viewer", "auditor")).when();
  }

  private static ValidatableResponse assertProblem(ValidatableResponse response, int status) {
    return response
        .statusCode(status)
        .contentType(PROBLEM_JSON)
        .body("status", equalTo(status))
        .body("title", not(emptyOrNullString()))
        .body("type", notNullValue())
        .body("detail", not(emptyOrNullString()))
        .body("instance", not(emptyOrNullString()))
        .body(
            "keySet().findAll { !(it in ['" + String.join("','", MEMBERS) + "']) }",
            org.hamcrest.Matchers.empty());
  }
}
