package dev.slipway.trigger.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.Person;
import dev.slipway.events.PipelineSnapshot;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.Webhooks;
import dev.slipway.trigger.messaging.CommitEvents;
import dev.slipway.trigger.webhook.WebhookEvent.Push;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each host's example payloads read into the same push model; hostile payloads only ever 400. */
class PushPayloadParsersTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final CommitEvents EVENTS = new CommitEvents(65_536, 1_048_576);

  @Test
  void githubPushGivesHeadCommitAndRepositoryUrls() {
    Push push = push(new GitHubPushParser(), Map.of("X-GitHub-Event", "push"), "github-push.json");
    assertThat(push.repositoryUrls())
        .contains("https://github.com/acme/shop", "git@github.com:acme/shop.git");
    assertThat(push.updates())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.ref()).isEqualTo("refs/heads/main");
              assertThat(u.head().sha()).isEqualTo("9f3c1e2d4b5a69788716253443526170819a0b1c");
            });
  }

  @Test
  void githubMergePushNamesTheMergerAndEveryAuthorOfTheMergedCommits() {
    Push push =
        push(new GitHubPushParser(), Map.of("X-GitHub-Event", "push"), "github-merge-push.json");

    assertThat(push.actor()).isEqualTo("linus");
    assertThat(push.updates().get(0).head().author().username()).isEqualTo("linus");
    assertThat(push.contributors())
        .extracting(Person::username, Person::id)
        .containsExactly(
            tuple("linus", "2001"),
            tuple("ada", null),
            tuple("bob", null),
            tuple("linus", null),
            tuple("web-flow", null));
    Envelope<CommitReceived> event =
        EVENTS
            .derived(
                new CommitEvents.RunFacts(
                    "shop",
                    "github",
                    "d-1",
                    "https://github.com/acme/shop",
                    "refs/heads/main",
                    push.updates().get(0).head().sha(),
                    push.updates().get(0).head().author(),
                    "merge",
                    push.actor(),
                    new PipelineSnapshot(List.of(), new ScanPolicy(Severity.HIGH, true)),
                    push.contributors()),
                "d-1")
            .event();
    assertThat(event.data().contributors()).hasSize(5);
    assertThat(dev.slipway.events.RunContext.of(event.data()).contributors())
        .extracting(Person::username)
        .contains("ada", "bob");
  }

  @Test
  void everyHostNamesItsPusherWithTheAccountId() {
    assertThat(
            push(new GitLabPushParser(), Map.of("X-Gitlab-Event", "Push Hook"), "gitlab-push.json")
                .contributors())
        .first()
        .satisfies(p -> assertThat(p.id()).isEqualTo("4"));
    assertThat(
            push(new GiteaPushParser(), Map.of("X-Gitea-Event", "push"), "gitea-push.json")
                .contributors())
        .extracting(Person::username, Person::id)
        .startsWith(tuple("linus", "2"))
        .contains(tuple("gitea", null));
    assertThat(
            push(
                    new BitbucketPushParser(),
                    Map.of("X-Event-Key", "repo:push"),
                    "bitbucket-push.json")
                .contributors())
        .extracting(Person::username, Person::id, Person::email)
        .contains(
            tuple("aturing", "557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443", null),
            tuple(null, null, "alan@example.com"));
  }

  @Test
  void githubDeletionHasNoHead() {
    Push push =
        push(
            new GitHubPushParser(), Map.of("X-GitHub-Event", "push"), "github-branch-deleted.json");
    assertThat(push.updates()).singleElement().satisfies(u -> assertThat(u.deleted()).isTrue());
  }

  @Test
  void githubDeliveryKeyIsScopedByHook() {
    var key =
        new GitHubPushParser()
            .deliveryKey(Map.of("X-GitHub-Delivery", "72d3162e", "X-GitHub-Hook-ID", "42")::get);
    assertThat(key).contains("42:72d3162e");
  }

  @Test
  void githubFormEncodedBodyCarriesTheJsonInPayload() {
    String json = Webhooks.payload("github-push.json", "acme/shop");
    byte[] form =
        ("payload=" + java.net.URLEncoder.encode(json, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);

    JsonNode payload = PushBody.json(GitProvider.GITHUB, "application/x-www-form-urlencoded", form);

    assertThat(payload.path("head_commit").path("id").asText())
        .isEqualTo("9f3c1e2d4b5a69788716253443526170819a0b1c");
    assertThatThrownBy(
            () ->
                PushBody.json(
                    GitProvider.GITHUB,
                    "application/x-www-form-urlencoded",
                    "other=1".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidInputException.class)
        .extracting("field")
        .isEqualTo("payload");
  }

  @Test
  void repositoryFieldsAreReadWithoutBuildingTheDocument() {
    for (Fixture fixture : fixtures().toList()) {
      byte[] body = Webhooks.payload(fixture.file(), "acme/shop").getBytes(StandardCharsets.UTF_8);
      PushPayloadParser parser = fixture.parser();
      var texts =
          PushBody.textsAt(
              parser.provider(),
              "application/json",
              WebhookBody.of(body),
              parser.repositoryPaths());

      assertThat(parser.repositoryUrls(path -> java.util.Optional.ofNullable(texts.get(path))))
          .as(fixture.file())
          .isEqualTo(parser.repositoryUrls(tree(new String(body, StandardCharsets.UTF_8))));
    }
  }

  @Test
  void gitlabPushTakesTheCheckoutShaCommit() {
    Push push =
        push(new GitLabPushParser(), Map.of("X-Gitlab-Event", "Push Hook"), "gitlab-push.json");
    assertThat(push.updates().get(0).head().author().name()).isEqualTo("GitLab dev user");
  }

  @Test
  void bitbucketClosedBranchIsADeletion() {
    String json =
        Webhooks.payload("bitbucket-push.json", "acme/shop")
            .replaceFirst("\"new\": \\{", "\"new\": null, \"unused\": {");
    WebhookEvent event =
        new BitbucketPushParser().parse(Map.of("X-Event-Key", "repo:push")::get, tree(json));
    assertThat(((Push) event).updates())
        .singleElement()
        .satisfies(u -> assertThat(u.deleted()).isTrue());
  }

  @Test
  void giteaPushReadsHeadCommit() {
    Push push = push(new GiteaPushParser(), Map.of("X-Gitea-Event", "push"), "gitea-push.json");
    assertThat(push.actor()).isEqualTo("linus");
    assertThat(push.updates().get(0).head().message()).isEqualTo("Webhooks Yay!\n");
  }

  @Test
  void wrongTypeOfAFieldIsNamed() {
    JsonNode body = tree("{\"ref\": 42, \"after\": \"abc\"}");
    assertThatThrownBy(
            () -> new GiteaPushParser().parse(Map.of("X-Gitea-Event", "push")::get, body))
        .isInstanceOf(InvalidInputException.class)
        .extracting("field")
        .isEqualTo("ref");
  }

  static Stream<Arguments> hostileRefs() {
    return Stream.of(
        Arguments.of("refs/heads/main\u0000evil"),
        Arguments.of("refs/heads/line\nbreak"),
        Arguments.of("heads/main"),
        Arguments.of("main"),
        Arguments.of("refs/heads/../../etc/passwd"),
        Arguments.of("refs/heads/" + "x".repeat(2000)));
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("hostileRefs")
  void refThatGitCannotHaveIs400NamingRef(String ref) {
    ObjectNode push = (ObjectNode) tree(Webhooks.payload("github-push.json", "acme/shop"));
    push.put("ref", ref);
    assertThatThrownBy(
            () -> new GitHubPushParser().parse(Map.of("X-GitHub-Event", "push")::get, push))
        .isInstanceOf(InvalidInputException.class)
        .extracting("field")
        .isEqualTo("ref");
  }

  /** A fixture and the headers of its host. */
  record Fixture(PushPayloadParser parser, Map<String, String> headers, String file) {
    @Override
    public String toString() {
      return file;
    }
  }

  static Stream<Fixture> fixtures() {
    return Stream.of(
        new Fixture(new GitHubPushParser(), Map.of("X-GitHub-Event", "push"), "github-push.json"),
        new Fixture(
            new GitHubPushParser(), Map.of("X-GitHub-Event", "push"), "github-tag-push.json"),
        new Fixture(
            new GitLabPushParser(), Map.of("X-Gitlab-Event", "Push Hook"), "gitlab-push.json"),
        new Fixture(
            new GitLabPushParser(),
            Map.of("X-Gitlab-Event", "Tag Push Hook"),
            "gitlab-tag-push.json"),
        new Fixture(
            new BitbucketPushParser(), Map.of("X-Event-Key", "repo:push"), "bitbucket-push.json"),
        new Fixture(new GiteaPushParser(), Map.of("X-Gitea-Event", "push"), "gitea-push.json"));
  }

  /**
   * Every node of every fixture replaced, one at a time, by every other JSON type (and by text no
   * encoder can write): the parser either reads a push that can become a valid commit.received, or
   * answers 400 naming a field. Nothing else (no NullPointerException, no 500).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyFieldOfTheWrongTypeIsA400OrHarmless(Fixture fixture) {
    JsonNode original = tree(Webhooks.payload(fixture.file(), "acme/shop"));
    List<String> replaced = new ArrayList<>();
    List<JsonNode> hostile =
        List.of(
            NODES.objectNode(),
            NODES.arrayNode(),
            NODES.numberNode(42),
            NODES.numberNode(1.5e300),
            NODES.booleanNode(true),
            NODES.textNode(""),
            NODES.textNode("\ud800 lone surrogate"),
            NODES.textNode("refs/heads/\u0001"),
            NODES.nullNode());
    forEachNode(
        original,
        "",
        (path, setter) -> {
          for (JsonNode value : hostile) {
            JsonNode copy = original.deepCopy();
            setter.apply(copy, value);
            replaced.add(path);
            checkParses(fixture, copy, path + " = " + value);
          }
        });
    assertThat(replaced).hasSizeGreaterThan(40);
  }

  private static void checkParses(Fixture fixture, JsonNode body, String what) {
    WebhookEvent event;
    try {
      event = fixture.parser().parse(fixture.headers()::get, body);
    } catch (InvalidInputException e) {
      assertThat(e.field()).as(what).isNotBlank();
      return;
    } catch (RuntimeException e) {
      throw new AssertionError(what + " threw " + e, e);
    }
    if (!(event instanceof Push push)) {
      return;
    }
    for (WebhookEvent.RefUpdate update : push.updates()) {
      assertThat(update.ref()).as(what).startsWith("refs/").doesNotContain("\u0001");
      if (update.head() == null) {
        continue;
      }
      assertThat(update.head().sha()).as(what).matches("[0-9a-f]{40}([0-9a-f]{24})?");
      CommitEvents.WrittenCommit commit =
          EVENTS.derived(
              new CommitEvents.RunFacts(
                  "shop",
                  fixture.parser().provider().id(),
                  "delivery",
                  "https://example.com/acme/shop",
                  update.ref(),
                  update.head().sha(),
                  update.head().author(),
                  update.head().message(),
                  push.actor(),
                  new PipelineSnapshot(List.of(), new ScanPolicy(Severity.HIGH, false))),
              "delivery",
              update.ref());
      assertThat(commit.outboxEvent(null).json()).as(what).isNotBlank();
    }
  }

  /** A setter of one node inside a tree copy, found again by its path. */
  private interface Setter {
    void apply(JsonNode root, JsonNode value);
  }

  private interface Visitor {
    void visit(String path, Setter setter);
  }

  private static void forEachNode(JsonNode node, String path, Visitor visitor) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String at = path.isEmpty() ? name : path + "." + name;
        List<Object> steps = steps(path);
        visitor.visit(at, (root, value) -> ((ObjectNode) navigate(root, steps)).set(name, value));
        forEachNode(node.get(name), at, visitor);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        int index = i;
        String at = path + "[" + i + "]";
        List<Object> steps = steps(path);
        visitor.visit(at, (root, value) -> ((ArrayNode) navigate(root, steps)).set(index, value));
        forEachNode(node.get(i), at, visitor);
      }
    }
  }

  private static List<Object> steps(String path) {
    List<Object> steps = new ArrayList<>();
    if (path.isEmpty()) {
      return steps;
    }
    for (String part : path.split("\\.")) {
      int bracket = part.indexOf('[');
      String name = bracket < 0 ? part : part.substring(0, bracket);
      if (!name.isEmpty()) {
        steps.add(name);
      }
      for (int at = bracket; at >= 0; at = part.indexOf('[', at + 1)) {
        steps.add(Integer.parseInt(part.substring(at + 1, part.indexOf(']', at))));
      }
    }
    return steps;
  }

  private static JsonNode navigate(JsonNode root, List<Object> steps) {
    JsonNode current = root;
    for (Object step : steps) {
      current = step instanceof Integer index ? current.get(index) : current.get((String) step);
    }
    return current;
  }

  private static Push push(PushPayloadParser parser, Map<String, String> headers, String file) {
    WebhookEvent event = parser.parse(headers::get, tree(Webhooks.payload(file, "acme/shop")));
    assertThat(event).isInstanceOf(Push.class);
    return (Push) event;
  }

  private static JsonNode tree(String json) {
    return PushBody.json(
        GitProvider.GITEA, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }
}
