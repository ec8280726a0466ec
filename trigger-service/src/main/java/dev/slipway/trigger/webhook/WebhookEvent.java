package dev.slipway.trigger.webhook;

import dev.slipway.events.Person;
import java.util.List;

/** What a verified webhook says, once its host's payload has been read. */
public sealed interface WebhookEvent {

  /** A host checking that the endpoint answers (GitHub {@code ping}). */
  record Ping() implements WebhookEvent {}

  /** An event trigger-service does not act on; {@code reason} is sent back. */
  record Ignored(String reason) implements WebhookEvent {}

  /**
   * A push: one or more refs of one repository moved.
   *
   * @param repositoryUrls every URL the host gives for the repository (web, https, ssh)
   * @param actor who pushed
   * @param updates the refs that moved, in the order the host lists them
   * @param contributors the pusher, then every author and committer the push lists, each once
   */
  record Push(
      List<String> repositoryUrls,
      String actor,
      List<RefUpdate> updates,
      List<dev.slipway.events.Person> contributors)
      implements WebhookEvent {
    public Push {
      repositoryUrls = List.copyOf(repositoryUrls);
      updates = List.copyOf(updates);
      contributors = contributors == null ? List.of() : List.copyOf(contributors);
    }

    /** A push whose contributors are not known. */
    public Push(List<String> repositoryUrls, String actor, List<RefUpdate> updates) {
      this(repositoryUrls, actor, updates, List.of());
    }
  }

  /**
   * One ref of a push.
   *
   * @param ref the full ref, {@code refs/heads/...} or {@code refs/tags/...}
   * @param head the commit the ref now points to; null when the push deleted the ref
   */
  record RefUpdate(String ref, Commit head) {
    public boolean deleted() {
      return head == null;
    }
  }

  /** A commit as the host describes it. */
  record Commit(String sha, Person author, String message) {}
}
