package dev.slipway.trigger.service;

import dev.slipway.events.EventJson;
import dev.slipway.events.Person;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.Application;
import dev.slipway.trigger.api.RunAccepted;
import dev.slipway.trigger.api.RunRequest;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.messaging.CommitEvents;
import dev.slipway.trigger.problem.DatabaseUnavailableException;
import dev.slipway.trigger.problem.IdempotencyKeyReusedException;
import dev.slipway.trigger.repository.DeliveryRepository;
import dev.slipway.trigger.repository.DeliveryRepository.Acceptance;
import dev.slipway.trigger.repository.DeliveryRepository.NewRun;
import dev.slipway.work.db.DatabaseErrors;
import dev.slipway.work.trace.Traceparent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Runs a given commit of an application on request, without a push: a commit.received with provider
 * {@code manual} and the requesting user as actor, accepted into the outbox like a webhook's.
 * Filters do not apply; asking is explicit. With an {@code Idempotency-Key} the request can be
 * retried safely: the same key for the same application and request answers with the first run, for
 * a different request it is refused (422).
 */
@ApplicationScoped
public class ManualRunService {

  static final String PROVIDER = "manual";

  private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");
  private static final Pattern BAD_REF =
      Pattern.compile("[\\p{Cntrl} ~^:?*\\[\\\\]|\\.\\.|@\\{|//");
  private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7e]{1,255}$");

  private final ApplicationService applications;
  private final DeliveryRepository deliveries;
  private final CommitEvents events;
  private final TriggerConfig config;

  public ManualRunService(
      ApplicationService applications,
      DeliveryRepository deliveries,
      CommitEvents events,
      TriggerConfig config) {
    this.applications = applications;
    this.deliveries = deliveries;
    this.events = events;
    this.config = config;
  }

  /** A manual run accepted: {@code first} false when an Idempotency-Key was replayed. */
  public record Started(RunAccepted run, boolean first) {}

  /**
   * Starts a run of {@code request} for application {@code name}, asked for by {@code user}; {@code
   * idempotencyKey} may be null.
   */
  public Uni<Started> start(String name, RunRequest request, String user, String idempotencyKey) {
    return Uni.createFrom()
        .item(() -> new Asked(validRef(request), validSha(request), validKey(idempotencyKey)))
        .flatMap(asked -> applications.find(name).flatMap(app -> accept(app, asked, user)));
  }

  private Uni<Started> accept(Application app, Asked asked, String user) {
    CommitEvents.RunFacts facts =
        new CommitEvents.RunFacts(
            app.name,
            PROVIDER,
            null,
            app.repoUrl,
            asked.ref(),
            asked.sha(),
            new Person(user, null, user),
            "",
            user,
            app.pipeline(),
            List.of(new Person(user, null, user)));
    // A manual run has no Git host delivery: its delivery id is its run id (see CommitReceived).
    CommitEvents.WrittenCommit event =
        asked.key() == null
            ? events.fresh(facts)
            : events.derived(facts, PROVIDER, app.name, asked.key());
    RunAccepted run = new RunAccepted(event.runId(), app.name, asked.sha(), asked.ref());
    NewRun newRun =
        new NewRun(
            app.name,
            asked.ref(),
            asked.sha(),
            event.runId(),
            event.outboxEvent(Traceparent.current()),
            false);
    String key = asked.key() == null ? null : app.name + ":" + asked.key();
    return deliveries
        .accept(
            PROVIDER,
            key,
            asked.fingerprint(),
            List.of(newRun),
            config.dedupWindow(),
            outcomes -> json(run))
        .onFailure(DatabaseErrors::isUnavailable)
        .transform(
            failure ->
                new DatabaseUnavailableException(
                    "The database cannot take the run now; nothing was stored, retry later.",
                    config.retryAfterSeconds()))
        .map(acceptance -> started(acceptance, asked));
  }

  private Started started(Acceptance acceptance, Asked asked) {
    if (acceptance.kind() != Acceptance.Kind.REDELIVERY) {
      return new Started(
          EventJson.readPayload(bytes(acceptance.response()), RunAccepted.class), true);
    }
    if (!Objects.equals(acceptance.fingerprint(), asked.fingerprint())) {
      throw new IdempotencyKeyReusedException(
          "Idempotency-Key '"
              + asked.key()
              + "' was already used for another run of this application ("
              + acceptance.fingerprint()
              + "); use a new key for a new request.");
    }
    return new Started(
        EventJson.readPayload(bytes(acceptance.response()), RunAccepted.class), false);
  }

  private static String json(RunAccepted run) {
    return new String(EventJson.writePayload(run), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** What was asked for; {@code fingerprint} tells two requests with one key apart. */
  private record Asked(String ref, String sha, String key) {
    String fingerprint() {
      return ref + " " + sha;
    }
  }

  private static String validKey(String key) {
    if (key == null) {
      return null;
    }
    if (!KEY.matcher(key).matches()) {
      throw new InvalidInputException(
          "Header Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.",
          "Idempotency-Key");
    }
    return key;
  }

  private static String validRef(RunRequest request) {
    if (request == null) {
      throw new InvalidInputException("A JSON body is required.", "(body)");
    }
    String ref = request.ref();
    if (ref == null || ref.isBlank()) {
      throw new InvalidInputException("Field 'ref' is required.", "ref");
    }
    String full = ref.startsWith("refs/") ? ref : RefFilter.BRANCH_PREFIX + ref;
    boolean known =
        full.startsWith(RefFilter.BRANCH_PREFIX) || full.startsWith(RefFilter.TAG_PREFIX);
    if (!known
        || full.length() > 255
        || full.endsWith("/")
        || full.endsWith(".lock")
        || full.equals(RefFilter.BRANCH_PREFIX)
        || full.equals(RefFilter.TAG_PREFIX)
        || BAD_REF.matcher(full).find()) {
      throw new InvalidInputException(
          "Field 'ref' must be a branch name, refs/heads/<branch> or refs/tags/<tag>.", "ref");
    }
    return full;
  }

  private static String validSha(RunRequest request) {
    String commit = request.commit();
    if (commit == null || commit.isBlank()) {
      throw new InvalidInputException("Field 'commit' is required.", "commit");
    }
    String sha = commit.trim().toLowerCase(Locale.ROOT);
    if (!SHA.matcher(sha).matches()) {
      throw new InvalidInputException(
          "Field 'commit' must be a full commit SHA (40 or 64 hex digits).", "commit");
    }
    return sha;
  }
}
