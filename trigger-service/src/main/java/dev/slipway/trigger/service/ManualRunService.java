package dev.slipway.trigger.service;

import dev.slipway.events.CommitReceived;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.Person;
import dev.slipway.trigger.Application;
import dev.slipway.trigger.api.RunAccepted;
import dev.slipway.trigger.api.RunRequest;
import dev.slipway.trigger.messaging.CommitPublisher;
import dev.slipway.trigger.problem.InvalidInputException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Runs a given commit of an application on request, without a push: a commit.received with provider
 * {@code manual} and the requesting user as actor. Filters do not apply; asking is explicit.
 */
@ApplicationScoped
public class ManualRunService {

  static final String PROVIDER = "manual";

  private static final Pattern SHA = Pattern.compile("^[0-9a-f]{40}([0-9a-f]{24})?$");
  private static final Pattern BAD_REF =
      Pattern.compile("[\\p{Cntrl} ~^:?*\\[\\\\]|\\.\\.|@\\{|//");

  private final ApplicationService applications;
  private final CommitPublisher publisher;

  public ManualRunService(ApplicationService applications, CommitPublisher publisher) {
    this.applications = applications;
    this.publisher = publisher;
  }

  /** Starts a run of {@code request} for application {@code name}, asked for by {@code user}. */
  public Uni<RunAccepted> start(String name, RunRequest request, String user) {
    return Uni.createFrom()
        .item(() -> validRef(request))
        .flatMap(
            ref -> {
              String sha = validSha(request);
              return Panache.withSession(() -> applications.find(name))
                  .map(app -> event(app, ref, sha, user));
            })
        .call(publisher::publish)
        .map(e -> new RunAccepted(e.runId(), e.subject(), e.commitSha(), e.data().ref()));
  }

  private static Envelope<CommitReceived> event(
      Application app, String ref, String sha, String user) {
    // A manual run has no Git host delivery: its delivery id is its run id (see CommitReceived).
    Envelope<CommitReceived> draft =
        Envelope.startRun(
            EventType.COMMIT_RECEIVED,
            WebhookService.SOURCE,
            app.name,
            sha,
            payload(app, "pending", ref, sha, user));
    return new Envelope<>(
        draft.id(),
        draft.source(),
        draft.type(),
        draft.time(),
        draft.subject(),
        draft.runId(),
        null,
        sha,
        payload(app, draft.runId(), ref, sha, user));
  }

  private static CommitReceived payload(
      Application app, String deliveryId, String ref, String sha, String user) {
    return new CommitReceived(
        PROVIDER,
        deliveryId,
        app.repoUrl,
        ref,
        sha,
        new Person(user, null, user),
        "",
        user,
        app.pipeline());
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
