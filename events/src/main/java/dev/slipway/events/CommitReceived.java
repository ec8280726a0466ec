package dev.slipway.events;

import java.util.List;

/**
 * Payload of {@code commit.received}: a push (or a manual run) that starts a pipeline run.
 *
 * @param provider github, gitlab, bitbucket, gitea or manual
 * @param deliveryId the Git host's delivery id, or the run id of a manual run
 * @param repoUrl the normalized repository URL
 * @param ref the full Git ref, e.g. {@code refs/heads/main} or {@code refs/tags/v1.2.0}
 * @param commitSha the head commit
 * @param author who wrote the head commit
 * @param message the head commit's message, as written
 * @param actor who pushed, or the user who asked for a manual run
 * @param pipeline the application's environments and scan policy when the run started
 * @param truncated whether trigger-service shortened a free-text field (the message, a name) to its
 *     documented limit so the record fits Kafka; false in events written before this field
 * @param contributors everyone who wrote, committed or pushed a commit of this push (the pusher
 *     first, then authors and committers of every commit the host lists), each once; what the
 *     four-eyes rule of a manual promotion excludes. Empty in events written before this field
 */
public record CommitReceived(
    String provider,
    String deliveryId,
    String repoUrl,
    String ref,
    String commitSha,
    Person author,
    String message,
    String actor,
    PipelineSnapshot pipeline,
    Boolean truncated,
    List<Person> contributors) {

  private static final String BRANCH_PREFIX = "refs/heads/";
  private static final String TAG_PREFIX = "refs/tags/";

  public CommitReceived {
    Require.text(provider, "provider");
    Require.text(deliveryId, "deliveryId");
    Require.text(repoUrl, "repoUrl");
    Require.text(ref, "ref");
    Require.text(commitSha, "commitSha");
    Require.present(author, "author");
    Require.present(message, "message");
    Require.text(actor, "actor");
    Require.present(pipeline, "pipeline");
    truncated = Boolean.TRUE.equals(truncated);
    contributors =
        contributors == null
            ? List.of()
            : List.copyOf(Require.noNulls(contributors, "contributors"));
  }

  /** A commit whose contributors are not listed (the head commit's author and the actor only). */
  public CommitReceived(
      String provider,
      String deliveryId,
      String repoUrl,
      String ref,
      String commitSha,
      Person author,
      String message,
      String actor,
      PipelineSnapshot pipeline,
      Boolean truncated) {
    this(
        provider,
        deliveryId,
        repoUrl,
        ref,
        commitSha,
        author,
        message,
        actor,
        pipeline,
        truncated,
        List.of());
  }

  /** A commit whose text fields arrived whole. */
  public CommitReceived(
      String provider,
      String deliveryId,
      String repoUrl,
      String ref,
      String commitSha,
      Person author,
      String message,
      String actor,
      PipelineSnapshot pipeline) {
    this(provider, deliveryId, repoUrl, ref, commitSha, author, message, actor, pipeline, false);
  }

  /** Whether the ref is a tag. */
  public boolean isTag() {
    return ref.startsWith(TAG_PREFIX);
  }

  /** The branch or tag name without its {@code refs/...} prefix. */
  public String shortRef() {
    if (ref.startsWith(BRANCH_PREFIX)) {
      return ref.substring(BRANCH_PREFIX.length());
    }
    return ref.startsWith(TAG_PREFIX) ? ref.substring(TAG_PREFIX.length()) : ref;
  }
}
