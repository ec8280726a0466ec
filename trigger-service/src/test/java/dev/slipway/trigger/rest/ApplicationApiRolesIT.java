package dev.slipway.trigger.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.testsupport.TestTokens;
import dev.slipway.trigger.Webhooks;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every role against every method of {@code /api/apps} and {@code /api/admin}: who is let through
 * (the operation's own answer), who is refused (403 problem), and no token at all (401 problem).
 *
 * <pre>
 * operation             viewer deployer approver auditor admin contractor (none)
 * GET    /api/apps        ok     ok       ok      ok     ok      403       401
 * GET    /api/apps/{n}    ok     ok       ok      ok     ok      403       401
 * POST   /api/apps        403    403      403     403    ok      403       401
 * PUT    /api/apps/{n}    403    403      403     403    ok      403       401
 * DELETE /api/apps/{n}    403    403      403     403    ok      403       401
 * POST   .../{n}/runs     403    ok       403     403    ok      403       401
 * POST   /api/admin/...   403    403      403     403    ok      403       401
 * </pre>
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ApplicationApiRolesIT {

  private static final List<String> ROLES =
      List.of("viewer", "deployer", "approver", "auditor", "admin", "contractor", "(none)");
  private static final Set<String> READERS =
      Set.of("viewer", "deployer", "approver", "auditor", "admin");

  /** One operation, and the roles it lets through with the status they then get. */
  enum Operation {
    LIST("GET /api/apps", READERS, 200),
    GET("GET /api/apps/{name}", READERS, 200),
    CREATE("POST /api/apps", Set.of("admin"), 201),
    REPLACE("PUT /api/apps/{name}", Set.of("admin"), 200),
    DELETE("DELETE /api/apps/{name}", Set.of("admin"), 204),
    RUN("POST /api/apps/{name}/runs", Set.of("deployer", "admin"), 202),
    ROTATE("POST /api/admin/rotate-secrets", Set.of("admin"), 200);

    final String label;
    final Set<String> allowed;
    final int success;

    Operation(String label, Set<String> allowed, int success) {
      this.label = label;
      this.allowed = allowed;
      this.success = success;
    }
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (Operation operation : Operation.values()) {
      for (String role : ROLES) {
        int expected =
            role.equals("(none)")
                ? 401
                : operation.allowed.contains(role) ? operation.success : 403;
        cases.add(Arguments.of(operation, role, expected));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} as {1} -> {2}")
  @MethodSource("matrix")
  void everyRoleAgainstEveryMethod(Operation operation, String role, int expected) {
    String name = Webhooks.unique("roles");
    if (operation != Operation.CREATE) {
      Webhooks.register(name, "github", "https://github.com/acme/" + name, "roles-secret");
    }
    RequestSpecification request = given();
    if (!role.equals("(none)")) {
      request.auth().oauth2(TestTokens.token("someone", role));
    }
    Map<String, Object> app =
        Webhooks.application(name, "github", "https://github.com/acme/" + name, "roles-secret");
    var response =
        switch (operation) {
          case LIST -> request.get("/api/apps");
          case GET -> request.get("/api/apps/" + name);
          case CREATE -> request.contentType(ContentType.JSON).body(app).post("/api/apps");
          case REPLACE -> request.contentType(ContentType.JSON).body(app).put("/api/apps/" + name);
          case DELETE -> request.delete("/api/apps/" + name);
          case RUN ->
              request
                  .contentType(ContentType.JSON)
                  .body(Map.of("ref", "main", "commit", Webhooks.newSha()))
                  .post("/api/apps/" + name + "/runs");
          case ROTATE -> request.post("/api/admin/rotate-secrets");
        };

    assertThat(response.statusCode()).as(operation.label + " as " + role).isEqualTo(expected);
    if (expected >= 400) {
      assertThat(response.contentType()).startsWith("application/problem+json");
    }
  }
}
