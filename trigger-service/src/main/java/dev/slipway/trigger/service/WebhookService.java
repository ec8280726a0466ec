package dev.slipway.trigger.service;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventJson;
import dev.slipway.events.EventType;
import dev.slipway.trigger.Application;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.api.RunAccepted;
import dev.slipway.trigger.api.WebhookAccepted;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.messaging.CommitPublisher;
import dev.slipway.trigger.problem.InvalidInputException;
import dev.slipway.trigger.problem.InvalidSignatureException;
import dev.slipway.trigger.problem.PayloadTooLargeException;
import dev.slipway.trigger.problem.ProblemException;
import dev.slipway.trigger.problem.UnknownRepositoryException;
import dev.slipway.trigger.repository.ApplicationRepository;
import dev.slipway.trigger.repository.DeliveryRepository;
import dev.slipway.trigger.service.TriggerMetrics.Outcome;
import dev.slipway.trigger.webhook.PushPayloadParser;
import dev.slipway.trigger.webhook.WebhookEvent;
import dev.slipway.trigger.webhook.WebhookEvent.RefUpdate;
import dev.slipway.trigger.webhook.WebhookSignatureVerifier;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Turns a Git host's webhook into commit.received records: size check, signature over the raw
 * bytes, then the host's payload, the registry, the filters, and finally a once-per-delivery
 * publish to Kafka.
 *
 * <p>The secret to check a signature with belongs to an application, and which application a push
 * is for is written in the body; since nothing may read the body before it is authenticated, the
 * signature is checked against the secret of every application of that host, and the push is then
 * only acted on for applications of its repository whose secret signed it.
 */
@ApplicationScoped
public class WebhookService {

  /** The CloudEvents source of every event this service produces. */
  public static final String SOURCE = "/slipway/trigger-service";

  private final Map<GitProvider, PushPayloadParser> parsers = new EnumMap<>(GitProvider.class);
  private final ApplicationRepository applications;
  private final DeliveryRepository deliveries;
  private final CommitPublisher publisher;
  private final WebhookSignatureVerifier verifier;
  private final SecretCipher cipher;
  private final TriggerConfig config;
  private final TriggerMetrics metrics;

  public WebhookService(
      Instance<PushPayloadParser> parsers,
      ApplicationRepository applications,
      DeliveryRepository deliveries,
      CommitPublisher publisher,
      WebhookSignatureVerifier verifier,
      SecretCipher cipher,
      TriggerConfig config,
      TriggerMetrics metrics) {
    parsers.forEach(parser -> this.parsers.put(parser.provider(), parser));
    this.applications = applications;
    this.deliveries = deliveries;
    this.publisher = publisher;
    this.verifier = verifier;
    this.cipher = cipher;
    this.config = config;
    this.metrics = metrics;
  }

  /** What to answer a webhook. */
  public sealed interface Answer {

    /** Runs started; {@code body} is the JSON of {@link WebhookAccepted}. */
    record Accepted(String body) implements Answer {}

    /** A redelivery: {@code body} is the answer of the first delivery. */
    record Duplicate(String body) implements Answer {}

    /** Nothing to do, for {@code reason}; {@code tag} names the reason in metrics. */
    record Ignored(String reason, String tag) implements Answer {}

    /** A ping. */
    record Pong() implements Answer {}
  }

  /**
   * Handles one webhook of {@code provider}; {@code headers} looks a request header up by name.
   * Fails with a {@link ProblemException} for every rejection.
   */
  public Uni<Answer> receive(GitProvider provider, UnaryOperator<String> headers, byte[] body) {
    return Uni.createFrom()
        .deferred(() -> handle(provider, headers, body))
        .invoke(answer -> count(provider, answer))
        .onFailure()
        .invoke(
            failure ->
                metrics.webhook(
                    provider.id(),
                    Outcome.REJECTED,
                    failure instanceof ProblemException problem ? problem.kind() : "error"));
  }

  private Uni<Answer> handle(GitProvider provider, UnaryOperator<String> headers, byte[] body) {
    if (body.length > config.maxPayloadBytes()) {
      throw new PayloadTooLargeException(
          "The body has "
              + body.length
              + " bytes; at most "
              + config.maxPayloadBytes()
              + " are accepted.");
    }
    String header = WebhookSignatureVerifier.signatureHeader(provider);
    String signature = headers.apply(header);
    if (signature == null || signature.isBlank()) {
      throw new InvalidSignatureException("Header " + header + " is required.");
    }
    return Panache.withSession(() -> applications.forProvider(provider))
        .flatMap(
            all -> act(provider, headers, body, all, signedBy(provider, signature, body, all)));
  }

  private Set<String> signedBy(
      GitProvider provider, String signature, byte[] body, List<Application> candidates) {
    Set<String> signed =
        candidates.stream()
            .filter(
                app ->
                    verifier.verifies(
                        provider, signature, body, cipher.decrypt(app.name, app.webhookSecret)))
            .map(app -> app.name)
            .collect(Collectors.toSet());
    if (signed.isEmpty()) {
      throw new InvalidSignatureException(
          "The "
              + WebhookSignatureVerifier.signatureHeader(provider)
              + " header does not match the secret of any "
              + provider.id()
              + " application.");
    }
    return signed;
  }

  private Uni<Answer> act(
      GitProvider provider,
      UnaryOperator<String> headers,
      byte[] body,
      List<Application> all,
      Set<String> signed) {
    PushPayloadParser parser = parsers.get(provider);
    WebhookEvent event = parser.parse(headers, body);
    if (event instanceof WebhookEvent.Ping) {
      return Uni.createFrom().item(new Answer.Pong());
    }
    if (event instanceof WebhookEvent.Ignored ignored) {
      return Uni.createFrom().item(new Answer.Ignored(ignored.reason(), "event_type"));
    }
    WebhookEvent.Push push = (WebhookEvent.Push) event;
    Set<String> urls =
        push.repositoryUrls().stream()
            .map(RepositoryUrl::normalize)
            .flatMap(Optional::stream)
            .collect(Collectors.toSet());
    List<Application> followers = all.stream().filter(app -> urls.contains(app.repoUrl)).toList();
    if (followers.isEmpty()) {
      throw new UnknownRepositoryException(
          "No application is registered for repository " + push.repositoryUrls().get(0) + ".");
    }
    List<Application> entitled =
        followers.stream().filter(app -> signed.contains(app.name)).toList();
    if (entitled.isEmpty()) {
      throw new InvalidSignatureException(
          "The signature does not match the secret of any application of "
              + followers.get(0).repoUrl
              + ".");
    }
    List<RefUpdate> moved = push.updates().stream().filter(u -> !u.deleted()).toList();
    if (moved.isEmpty()) {
      return Uni.createFrom()
          .item(new Answer.Ignored("ref deleted: " + push.updates().get(0).ref(), "ref_deleted"));
    }
    List<Run> runs = new ArrayList<>();
    for (RefUpdate update : moved) {
      for (Application app : entitled) {
        if (RefFilter.matches(update.ref(), app.branchFilters, app.tagFilters)) {
          runs.add(new Run(app, update));
        }
      }
    }
    if (runs.isEmpty()) {
      return Uni.createFrom()
          .item(
              new Answer.Ignored(
                  "no branch or tag filter matches " + moved.get(0).ref(), "no_matching_filter"));
    }
    String deliveryKey =
        parser
            .deliveryKey(headers)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "Header "
                            + parser.deliveryHeader()
                            + " is required to recognize redeliveries.",
                        parser.deliveryHeader()));
    List<Envelope<CommitReceived>> events =
        runs.stream().map(run -> event(provider, deliveryKey, push.actor(), run)).toList();
    String response =
        json(
            WebhookAccepted.of(
                events.stream()
                    .map(
                        e ->
                            new RunAccepted(
                                e.runId(), e.subject(), e.data().commitSha(), e.data().ref()))
                    .toList()));
    return deliveries
        .once(provider, deliveryKey, response, () -> publishAll(events))
        .map(
            outcome ->
                outcome.first()
                    ? new Answer.Accepted(outcome.response())
                    : new Answer.Duplicate(outcome.response()));
  }

  private Uni<Void> publishAll(List<Envelope<CommitReceived>> events) {
    List<Uni<Void>> sends = events.stream().map(publisher::publish).toList();
    return Uni.join().all(sends).andFailFast().replaceWithVoid();
  }

  /**
   * The commit.received of one run. Its event id and run id derive from the delivery, so should a
   * record reach Kafka although the answer to the host was 503 (a broker that acknowledged too
   * late), the host's retry produces the very same ids and consumers deduplicate it.
   */
  private static Envelope<CommitReceived> event(
      GitProvider provider, String deliveryKey, String actor, Run run) {
    Application app = run.application();
    WebhookEvent.Commit head = run.update().head();
    CommitReceived payload =
        new CommitReceived(
            provider.id(),
            deliveryKey,
            app.repoUrl,
            run.update().ref(),
            head.sha(),
            head.author(),
            head.message(),
            actor,
            app.pipeline());
    Envelope<CommitReceived> started =
        Envelope.startRun(EventType.COMMIT_RECEIVED, SOURCE, app.name, head.sha(), payload);
    String seed = String.join("\n", provider.id(), deliveryKey, app.name, run.update().ref());
    return new Envelope<>(
        nameUuid("event\n" + seed),
        started.source(),
        started.type(),
        started.time(),
        started.subject(),
        nameUuid("run\n" + seed),
        null,
        started.commitSha(),
        started.data());
  }

  private static String nameUuid(String seed) {
    return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String json(Object value) {
    return new String(EventJson.writePayload(value), StandardCharsets.UTF_8);
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

  private record Run(Application application, RefUpdate update) {}
}
