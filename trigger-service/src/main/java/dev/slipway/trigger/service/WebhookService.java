package dev.slipway.trigger.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.slipway.events.EventJson;
import dev.slipway.events.Person;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.ProblemException;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.api.RunAccepted;
import dev.slipway.trigger.api.WebhookAccepted;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.messaging.CommitEvents;
import dev.slipway.trigger.problem.ApplicationNotFoundException;
import dev.slipway.trigger.problem.DatabaseUnavailableException;
import dev.slipway.trigger.problem.InvalidSignatureException;
import dev.slipway.trigger.problem.PayloadTooLargeException;
import dev.slipway.trigger.problem.SecretUnreadableException;
import dev.slipway.trigger.repository.DeliveryRepository.Acceptance;
import dev.slipway.trigger.repository.DeliveryRepository.Delivery;
import dev.slipway.trigger.repository.DeliveryRepository.NewRun;
import dev.slipway.trigger.repository.DeliveryRepository.RunOutcome;
import dev.slipway.trigger.service.TriggerMetrics.Outcome;
import dev.slipway.trigger.webhook.PushBody;
import dev.slipway.trigger.webhook.PushPayloadParser;
import dev.slipway.trigger.webhook.WebhookBody;
import dev.slipway.trigger.webhook.WebhookEvent;
import dev.slipway.trigger.webhook.WebhookEvent.RefUpdate;
import dev.slipway.trigger.webhook.WebhookSignatureVerifier;
import dev.slipway.work.db.DatabaseErrors;
import dev.slipway.work.trace.Traceparent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a Git host's webhook into runs: size check, the signature over the raw bytes, the host's
 * payload, filters, and one transaction that stores the delivery and the commit.received of each
 * run in the outbox (published afterwards by the outbox relay), shared with the webhooks arriving
 * at the same time ({@link GroupCommit}). HMACs and parsing run in {@link WebhookWorkers}'
 * bulkheads; the event loop only routes and writes.
 *
 * <p>Whose secret checks the signature: on an application's own URL ({@code
 * /webhooks/{provider}/{application}}) that application's, one HMAC, before the body is read. On
 * the host-wide URL ({@code /webhooks/{provider}}) the body names the repository, so it is read
 * first, and the secrets of the applications following that repository are the candidates (GitLab
 * sends the secret itself: the applications with that token). The candidates come from {@link
 * ApplicationIndex}, at most {@code max-candidate-secrets} distinct secrets, one HMAC each.
 */
@ApplicationScoped
public class WebhookService {

  private static final Pattern PRINTABLE_ASCII = Pattern.compile("^[\\x20-\\x7e]{1,256}$");

  private final Map<GitProvider, PushPayloadParser> parsers = new EnumMap<>(GitProvider.class);
  private final ApplicationIndex index;
  private final GroupCommit groupCommit;
  private final CommitEvents events;
  private final WebhookWorkers workers;
  private final WebhookSignatureVerifier verifier;
  private final TriggerConfig config;
  private final TriggerMetrics metrics;

  public WebhookService(
      Instance<PushPayloadParser> parsers,
      ApplicationIndex index,
      GroupCommit groupCommit,
      CommitEvents events,
      WebhookWorkers workers,
      WebhookSignatureVerifier verifier,
      TriggerConfig config,
      TriggerMetrics metrics) {
    parsers.forEach(parser -> this.parsers.put(parser.provider(), parser));
    this.index = index;
    this.groupCommit = groupCommit;
    this.events = events;
    this.workers = workers;
    this.verifier = verifier;
    this.config = config;
    this.metrics = metrics;
  }

  /** What to answer a webhook. */
  public sealed interface Answer {

    /** Runs started; {@code body} is the JSON of {@link WebhookAccepted}. */
    record Accepted(String body) implements Answer {}

    /**
     * Nothing new: a redelivery of a known delivery, or a push whose every run was already started
     * by an earlier delivery; {@code body} names those runs.
     */
    record Duplicate(String body) implements Answer {}

    /** Nothing to do, for {@code reason}; {@code tag} names the reason in metrics. */
    record Ignored(String reason, String tag) implements Answer {}

    /** A ping. */
    record Pong() implements Answer {}
  }

  /** A webhook as received. */
  public record Request(
      GitProvider provider,
      String application,
      UnaryOperator<String> headers,
      String contentType,
      WebhookBody body) {}

  /**
   * Handles one webhook; {@code request.application()} is null on the host-wide URL. Fails with a
   * {@link ProblemException} for every rejection.
   */
  public Uni<Answer> receive(Request request) {
    return Uni.createFrom()
        .deferred(() -> handle(request))
        .invoke(answer -> count(request.provider(), answer))
        .onFailure()
        .invoke(
            failure ->
                metrics.webhook(
                    request.provider().id(),
                    Outcome.REJECTED,
                    failure instanceof ProblemException problem ? problem.kind() : "error"));
  }

  private Uni<Answer> handle(Request request) {
    if (request.body().length() > config.maxPayloadBytes()) {
      throw new PayloadTooLargeException(
          "The body has "
              + request.body().length()
              + " bytes; at most "
              + config.maxPayloadBytes()
              + " are accepted.");
    }
    PushPayloadParser parser = parsers.get(request.provider());
    String header = WebhookSignatureVerifier.signatureHeader(request.provider());
    String signature = request.headers().apply(header);
    if (signature == null || signature.isBlank()) {
      throw new InvalidSignatureException("Header " + header + " is required.");
    }
    Optional<String> deliveryKey = deliveryKey(parser, request.headers());
    // Taken here, in the request's context: the plan is made on a worker thread.
    String traceparent = Traceparent.current();
    Uni<Plan> plan;
    if (request.application() != null) {
      plan =
          index
              .find(request.application())
              .map(found -> ownApplication(request, found))
              .flatMap(
                  app ->
                      workers.run(
                          request.body().length(),
                          () ->
                              withEvents(
                                  planFor(request, parser, app, signature),
                                  deliveryKey,
                                  parser,
                                  traceparent)));
    } else {
      plan =
          workers.run(
              request.body().length(),
              () ->
                  withEvents(
                      planHostWide(request, parser, signature), deliveryKey, parser, traceparent));
    }
    return plan.flatMap(
        p -> p.answer() != null ? Uni.createFrom().item(p.answer()) : accept(p, request));
  }

  private IndexedApplication ownApplication(Request request, Optional<IndexedApplication> found) {
    if (found.isPresent() && found.get().secretProblem() != null) {
      // Only this application's webhooks fail; the problem is logged where it was found.
      throw new SecretUnreadableException(
          "The stored settings or webhook secret of application "
              + request.application()
              + " cannot be read; an administrator must set them again.");
    }
    return found
        .filter(a -> a.provider() == request.provider())
        .orElseThrow(
            () ->
                new ApplicationNotFoundException(
                    "No "
                        + request.provider().id()
                        + " application is named '"
                        + request.application()
                        + "'."));
  }

  /** On the application's own URL: its secret only, checked before the body is read. */
  private Plan planFor(
      Request request, PushPayloadParser parser, IndexedApplication app, String signature) {
    if (!verify(request, signature, app.secret())) {
      throw new InvalidSignatureException(
          "The "
              + WebhookSignatureVerifier.signatureHeader(request.provider())
              + " header does not match the secret of application "
              + app.name()
              + ".");
    }
    JsonNode payload = PushBody.json(request.provider(), request.contentType(), request.body());
    WebhookEvent event = parser.parse(request.headers(), payload);
    if (!(event instanceof WebhookEvent.Push push)) {
      return Plan.answered(nonPush(event));
    }
    if (!normalized(push).contains(app.repoUrl())) {
      return Plan.answered(
          new Answer.Ignored(
              "application "
                  + app.name()
                  + " does not follow "
                  + push.repositoryUrls().get(0)
                  + "; nothing was started",
              "not_followed"));
    }
    return runs(request.provider(), push, List.of(app));
  }

  /**
   * On the host-wide URL: the applications following the repository the body names (GitLab: those
   * whose token it is), checked with at most {@code max-candidate-secrets} HMACs.
   */
  private Plan planHostWide(Request request, PushPayloadParser parser, String signature) {
    GitProvider provider = request.provider();
    PushPayloadParser.Kind kind = parser.kind(request.headers());
    List<IndexedApplication> tokenHolders = List.of();
    if (provider == GitProvider.GITLAB) {
      tokenHolders = index.withGitlabToken(signature);
      metrics.signatureChecked(provider.id());
      if (tokenHolders.isEmpty()) {
        throw new InvalidSignatureException(
            "The X-Gitlab-Token header is not the token of any gitlab application.");
      }
    } else if (kind != PushPayloadParser.Kind.PUSH) {
      // Not a push: nothing will be done, and without a repository there is no secret to check.
      // Parsers answer pings and other events from the headers alone.
      return Plan.answered(
          nonPush(parser.parse(request.headers(), JsonNodeFactory.instance.objectNode())));
    }
    if (kind != PushPayloadParser.Kind.PUSH) {
      return Plan.answered(
          nonPush(
              parser.parse(
                  request.headers(),
                  PushBody.json(provider, request.contentType(), request.body()))));
    }
    // Not authenticated yet: only the fields naming the repository are read, nothing is built.
    Map<String, String> named =
        PushBody.textsAt(provider, request.contentType(), request.body(), parser.repositoryPaths());
    List<String> urls = parser.repositoryUrls(path -> Optional.ofNullable(named.get(path)));
    List<IndexedApplication> followers =
        index.following(
            provider,
            urls.stream().map(RepositoryUrl::normalize).flatMap(Optional::stream).toList());
    if (followers.isEmpty()) {
      return Plan.answered(
          new Answer.Ignored(
              "no application follows " + urls.get(0) + "; nothing was started", "not_followed"));
    }
    Set<String> holders =
        tokenHolders.stream().map(IndexedApplication::name).collect(Collectors.toSet());
    List<IndexedApplication> signed =
        provider == GitProvider.GITLAB
            ? followers.stream().filter(app -> holders.contains(app.name())).toList()
            : signedBy(request, signature, followers);
    if (signed.isEmpty()) {
      throw new InvalidSignatureException(
          "The signature does not match the secret of any application following "
              + followers.get(0).repoUrl()
              + ".");
    }
    WebhookEvent event =
        parser.parse(
            request.headers(), PushBody.json(provider, request.contentType(), request.body()));
    if (!(event instanceof WebhookEvent.Push push)) {
      return Plan.answered(nonPush(event));
    }
    return runs(provider, push, signed);
  }

  /** The candidates whose secret signed the body: one HMAC per distinct secret. */
  private List<IndexedApplication> signedBy(
      Request request, String signature, List<IndexedApplication> candidates) {
    Map<ByteBuffer, List<IndexedApplication>> bySecret = new LinkedHashMap<>();
    for (IndexedApplication app : candidates) {
      if (app.secret() != null) {
        bySecret.computeIfAbsent(ByteBuffer.wrap(app.secret()), k -> new ArrayList<>()).add(app);
      }
    }
    if (bySecret.size() > config.maxCandidateSecrets()) {
      throw new InvalidInputException(
          bySecret.size()
              + " applications with different secrets follow this repository, more than the"
              + " host-wide URL checks ("
              + config.maxCandidateSecrets()
              + "); give each its own webhook URL, /webhooks/"
              + request.provider().id()
              + "/{application}.",
          "(url)");
    }
    List<IndexedApplication> signed = new ArrayList<>();
    bySecret.forEach(
        (secret, apps) -> {
          if (verify(request, signature, apps.get(0).secret())) {
            signed.addAll(apps);
          }
        });
    return signed;
  }

  private boolean verify(Request request, String signature, byte[] secret) {
    metrics.signatureChecked(request.provider().id());
    return verifier.verifies(request.provider(), signature, request.body().view(), secret);
  }

  /** The runs {@code push} starts for {@code apps}: one per moved ref and matching application. */
  private Plan runs(GitProvider provider, WebhookEvent.Push push, List<IndexedApplication> apps) {
    List<RefUpdate> moved = push.updates().stream().filter(u -> !u.deleted()).toList();
    if (moved.isEmpty()) {
      return Plan.answered(
          new Answer.Ignored("ref deleted: " + push.updates().get(0).ref(), "ref_deleted"));
    }
    List<Run> runs = new ArrayList<>();
    for (RefUpdate update : moved) {
      for (IndexedApplication app : apps) {
        if (RefFilter.matches(update.ref(), app.branchFilters(), app.tagFilters())) {
          runs.add(new Run(app, update));
        }
      }
    }
    if (runs.isEmpty()) {
      return Plan.answered(
          new Answer.Ignored(
              "no branch or tag filter matches " + moved.get(0).ref(), "no_matching_filter"));
    }
    return new Plan(null, provider, push.actor(), push.contributors(), runs, null, List.of());
  }

  private Uni<Answer> accept(Plan plan, Request request) {
    return groupCommit
        .accept(
            new Delivery(
                request.provider().id(),
                plan.deliveryKey(),
                plan.newRuns(),
                WebhookService::answer))
        .onFailure(DatabaseErrors::isUnavailable)
        .transform(
            failure ->
                new DatabaseUnavailableException(
                    "The database cannot take the delivery now ("
                        + failure.getClass().getSimpleName()
                        + "); nothing was stored, retry later.",
                    config.retryAfterSeconds()))
        .map(
            acceptance -> {
              if (acceptance.kind() == Acceptance.Kind.STARTED) {
                return new Answer.Accepted(acceptance.response());
              }
              return new Answer.Duplicate(acceptance.response());
            });
  }

  /**
   * The plan with the events of its runs made, ids derived from the delivery, as the outbox keeps
   * them; a delivery id is needed from here on.
   */
  private Plan withEvents(
      Plan plan, Optional<String> deliveryKey, PushPayloadParser parser, String traceparent) {
    if (plan.answer() != null) {
      return plan;
    }
    String key =
        deliveryKey.orElseThrow(
            () ->
                new InvalidInputException(
                    "Header " + parser.deliveryHeader() + " is required to recognize redeliveries.",
                    parser.deliveryHeader()));
    List<NewRun> runs = new ArrayList<>();
    for (Run run : plan.runs()) {
      IndexedApplication app = run.application();
      WebhookEvent.Commit head = run.update().head();
      CommitEvents.WrittenCommit event =
          events.derived(
              new CommitEvents.RunFacts(
                  app.name(),
                  plan.provider().id(),
                  key,
                  app.repoUrl(),
                  run.update().ref(),
                  head.sha(),
                  head.author(),
                  head.message(),
                  plan.actor(),
                  app.pipeline(),
                  plan.contributors()),
              plan.provider().id(),
              key,
              app.name(),
              run.update().ref());
      runs.add(
          new NewRun(
              app.name(),
              run.update().ref(),
              head.sha(),
              event.runId(),
              event.outboxEvent(traceparent),
              true));
    }
    return new Plan(
        null, plan.provider(), plan.actor(), plan.contributors(), plan.runs(), key, runs);
  }

  private static String answer(List<RunOutcome> outcomes) {
    WebhookAccepted accepted =
        WebhookAccepted.of(
            outcomes.stream()
                .map(
                    o ->
                        new RunAccepted(
                            o.runId(), o.run().application(), o.run().commitSha(), o.run().ref()))
                .toList());
    return new String(EventJson.writePayload(accepted), StandardCharsets.UTF_8);
  }

  private static Optional<String> deliveryKey(
      PushPayloadParser parser, UnaryOperator<String> headers) {
    Optional<String> key = parser.deliveryKey(headers);
    if (key.isPresent() && !PRINTABLE_ASCII.matcher(key.get()).matches()) {
      throw new InvalidInputException(
          "Header " + parser.deliveryHeader() + " must be at most 256 printable ASCII characters.",
          parser.deliveryHeader());
    }
    return key;
  }

  private static Answer nonPush(WebhookEvent event) {
    if (event instanceof WebhookEvent.Ping) {
      return new Answer.Pong();
    }
    return new Answer.Ignored(((WebhookEvent.Ignored) event).reason(), "event_type");
  }

  private static Set<String> normalized(WebhookEvent.Push push) {
    return push.repositoryUrls().stream()
        .map(RepositoryUrl::normalize)
        .flatMap(Optional::stream)
        .collect(Collectors.toSet());
  }

  private void count(GitProvider provider, Answer answer) {
    if (answer instanceof Answer.Accepted) {
      metrics.webhook(provider.id(), Outcome.ACCEPTED, "none");
    } else if (answer instanceof Answer.Duplicate) {
      metrics.webhook(provider.id(), Outcome.DUPLICATE, "none");
    } else if (answer instanceof Answer.Pong) {
      metrics.webhook(provider.id(), Outcome.IGNORED, "ping");
    } else if (answer instanceof Answer.Ignored ignored) {
      metrics.webhook(provider.id(), Outcome.IGNORED, ignored.tag());
    }
  }

  /**
   * What a verified webhook comes to: an answer right away, or runs to accept.
   *
   * @param answer the answer when nothing is to be stored, else null
   * @param newRuns the runs' events as the outbox keeps them, once made
   */
  private record Plan(
      Answer answer,
      GitProvider provider,
      String actor,
      List<Person> contributors,
      List<Run> runs,
      String deliveryKey,
      List<NewRun> newRuns) {
    static Plan answered(Answer answer) {
      return new Plan(answer, null, null, List.of(), List.of(), null, List.of());
    }
  }

  private record Run(IndexedApplication application, RefUpdate update) {}
}
