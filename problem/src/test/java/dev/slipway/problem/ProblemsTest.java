package dev.slipway.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpClosedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

class ProblemsTest {

  private static final String PATH = "/api/pipelines";
  private static final UriInfo URI = uriWithPath(PATH);

  private final RecordingLogger log = new RecordingLogger();

  record Step(String name, int retries) {}

  record Pipeline(String name, List<Step> steps) {}

  @Test
  void aValueOfTheWrongTypeIsNamedByItsJsonPath() {
    JsonProcessingException e =
        unreadable("{\"name\":\"web\",\"steps\":[{\"name\":\"a\"},{\"retries\":\"twice\"}]}");

    Problem problem = problemOf(Problems.badJson(e, URI), 400);

    assertThat(problem.type()).isEqualTo("https://slipway.dev/problems/invalid-input");
    assertThat(problem.title()).isEqualTo("Invalid input");
    assertThat(problem.field()).isEqualTo("steps[1].retries");
    assertThat(problem.detail()).isEqualTo("Field 'steps[1].retries' has the wrong type.");
    assertThat(problem.instance()).isEqualTo(PATH);
  }

  @Test
  void anUnknownPropertyIsNamedBelowItsParent() {
    JsonProcessingException e = unreadable("{\"steps\":[{\"name\":\"a\",\"colour\":\"red\"}]}");

    Problem problem = problemOf(Problems.badJson(e, URI), 400);

    assertThat(problem.field()).isEqualTo("steps[0].colour");
    assertThat(problem.detail()).startsWith("Property 'steps[0].colour' is not known");
  }

  @Test
  void aBodyThatIsNotJsonNamesNoField() {
    Problem problem = problemOf(Problems.badJson(unreadable("{\"name\":"), URI), 400);

    assertThat(problem.field()).isNull();
    assertThat(problem.detail()).isEqualTo("The body is not valid JSON.");
  }

  @Test
  void aServerErrorFromJaxRsIsA500WithALoggedErrorId() {
    Response response = Problems.webApplication(new WebApplicationException(503), URI, log);

    Problem problem = problemOf(response, 500);
    assertThat(problem.title()).isEqualTo("Internal Server Error");
    assertThat(problem.errorId()).isNotBlank();
    assertThat(problem.detail()).contains(problem.errorId()).doesNotContain("Exception");
    assertThat(log.records).singleElement().satisfies(r -> assertThat(r).startsWith("ERROR"));
    assertThat(log.records.get(0)).contains(problem.errorId());
  }

  @Test
  void anUnknownPathIsA404WithoutAnErrorId() {
    Problem problem = problemOf(Problems.webApplication(new NotFoundException(), URI, log), 404);

    assertThat(problem.title()).isEqualTo("Not Found");
    assertThat(problem.detail()).isEqualTo("There is nothing at this path.");
    assertThat(problem.errorId()).isNull();
    assertThat(log.records).isEmpty();
  }

  @Test
  void aParameterJaxRsCannotConvertIsA400() {
    NotFoundException e = new NotFoundException(new NumberFormatException("For input: \"ten\""));

    Problem problem = problemOf(Problems.webApplication(e, URI, log), 400);

    assertThat(problem.detail()).isEqualTo("A parameter could not be read: For input: \"ten\"");
  }

  @Test
  void aClientThatClosedTheConnectionDeepInTheCauseChainIsNoError() {
    Throwable failure =
        new CompletionException(
            new UncheckedIOException(
                "write failed",
                new java.io.IOException(new HttpClosedException("Connection was closed"))));

    Problem problem = problemOf(Problems.unexpected(failure, URI, log), 500);

    assertThat(Problems.clientWentAway(failure)).isTrue();
    assertThat(problem.errorId()).isNotBlank();
    assertThat(log.records).singleElement().satisfies(r -> assertThat(r).startsWith("DEBUG"));
  }

  @Test
  void anUnexpectedFailureWithoutAClosedConnectionIsLoggedAsAnError() {
    Throwable failure = new IllegalStateException("bug", new RuntimeException("root"));

    Problems.unexpected(failure, URI, log);

    assertThat(Problems.clientWentAway(failure)).isFalse();
    assertThat(log.records).singleElement().satisfies(r -> assertThat(r).startsWith("ERROR"));
  }

  @Test
  void aServiceProblemKeepsItsTypeFieldAndHeadersAndA5xxGetsAnErrorId() {
    ProblemException unavailable =
        new ProblemException("PostgreSQL is down.", null) {
          @Override
          public int status() {
            return 503;
          }

          @Override
          public String kind() {
            return "database-unavailable";
          }

          @Override
          public Map<String, String> headers() {
            return Map.of("Retry-After", "5");
          }
        };

    Response response = Problems.of(unavailable, URI, log);

    Problem problem = problemOf(response, 503);
    assertThat(problem.type()).isEqualTo("https://slipway.dev/problems/database-unavailable");
    assertThat(problem.detail()).isEqualTo("PostgreSQL is down.");
    assertThat(problem.title()).isEqualTo("Service Unavailable");
    assertThat(problem.errorId()).isNotBlank();
    assertThat(response.getHeaderString("Retry-After")).isEqualTo("5");
    assertThat(log.records)
        .singleElement()
        .satisfies(r -> assertThat(r).contains(problem.errorId()));

    Problem invalid =
        problemOf(Problems.of(new InvalidInputException("No name.", "name"), URI, log), 400);
    assertThat(invalid)
        .isEqualTo(
            new Problem(
                Problems.INVALID_INPUT, "Invalid input", 400, "No name.", PATH, "name", null));
  }

  @Test
  void aMissingTokenAsksForABearerToken() {
    Response response = Problems.unauthorized(URI);

    assertThat(problemOf(response, 401).detail()).isEqualTo("A bearer token is required.");
    assertThat(response.getHeaderString("WWW-Authenticate")).isEqualTo("Bearer");
  }

  private static Problem problemOf(Response response, int status) {
    assertThat(response.getStatus()).isEqualTo(status);
    assertThat(response.getMediaType()).hasToString(Problem.MEDIA_TYPE);
    Problem problem = (Problem) response.getEntity();
    assertThat(problem.status()).isEqualTo(status);
    return problem;
  }

  private static JsonProcessingException unreadable(String json) {
    return catchThrowableOfType(
        JsonProcessingException.class, () -> new ObjectMapper().readValue(json, Pipeline.class));
  }

  private static UriInfo uriWithPath(String path) {
    return (UriInfo)
        Proxy.newProxyInstance(
            UriInfo.class.getClassLoader(),
            new Class<?>[] {UriInfo.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getPath") && (args == null || args.length == 0)) {
                return path;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  /** Keeps each log line as "LEVEL message", so a test sees what an operator would. */
  private static final class RecordingLogger extends Logger {

    final List<String> records = new ArrayList<>();

    RecordingLogger() {
      super("problems-test");
    }

    @Override
    public boolean isEnabled(Level level) {
      return true;
    }

    @Override
    protected void doLog(
        Level level, String fqcn, Object message, Object[] parameters, Throwable thrown) {
      records.add(level + " " + message);
    }

    @Override
    protected void doLogf(
        Level level, String fqcn, String format, Object[] parameters, Throwable thrown) {
      records.add(level + " " + String.format(format, parameters));
    }
  }

  @Test
  void everyStatusHasOneTitleWhoeverAnswersIt() {
    assertThat(new dev.slipway.problem.NotFoundException("No build b1.").title())
        .isEqualTo(Problems.title(404))
        .isEqualTo("Not Found");
    Problem routed = problemOf(Problems.webApplication(new NotFoundException(), URI, log), 404);
    assertThat(routed.title()).isEqualTo("Not Found");
    assertThat(new ConflictException("Taken.").title()).isEqualTo("Conflict");
    assertThat(new TooLargeException("Too big.", "body").title()).isEqualTo("Content Too Large");
    assertThat(new UnavailableException("Away.", 5, null).headers())
        .containsEntry("Retry-After", "5");
    assertThat(Problems.title(502)).isEqualTo("Bad Gateway");
  }

  @Test
  void pagesCarryTheCursorOfTheirLastItemOnlyWhenFull() {
    assertThat(Page.of(List.of("a", "b"), 2, s -> s)).isEqualTo(new Page<>(List.of("a", "b"), "b"));
    assertThat(Page.of(List.of("a"), 2, s -> s).next()).isNull();
    assertThat(Page.of(List.<String>of(), 2, s -> s).next()).isNull();
  }
}
