package dev.slipway.events;

import java.util.List;

/**
 * Where a run came from, carried forward from {@code commit.received} by every event that starts
 * more work (build.done, deploy.requested), so each service decides from the event alone and the
 * rules a run began with still hold when the registry changes meanwhile.
 *
 * @param repoUrl the normalized repository URL
 * @param ref the full Git ref pushed, e.g. {@code refs/heads/main}
 * @param author who wrote the head commit
 * @param actor who pushed, or the user who asked for a manual run
 * @param pipeline the application's environments, scan policy and source when the run started
 * @param provider the Git host (github, gitlab, bitbucket, gitea) or manual; qualifies the account
 *     ids of {@code contributors}; null in events written before this field
 * @param contributors who wrote, committed or pushed the run's commits ({@link
 *     CommitReceived#contributors}); empty in events written before this field
 */
public record RunContext(
    String repoUrl,
    String ref,
    Person author,
    String actor,
    PipelineSnapshot pipeline,
    String provider,
    List<Person> contributors) {

  public RunContext {
    Require.text(repoUrl, "repoUrl");
    Require.text(ref, "ref");
    Require.present(author, "author");
    Require.text(actor, "actor");
    Require.present(pipeline, "pipeline");
    contributors =
        contributors == null
            ? List.of()
            : List.copyOf(Require.noNulls(contributors, "contributors"));
  }

  /** A context without provider and contributors, as events before those fields carried. */
  public RunContext(
      String repoUrl, String ref, Person author, String actor, PipelineSnapshot pipeline) {
    this(repoUrl, ref, author, actor, pipeline, null, List.of());
  }

  /** The context a commit.received starts. */
  public static RunContext of(CommitReceived commit) {
    return new RunContext(
        commit.repoUrl(),
        commit.ref(),
        commit.author(),
        commit.actor(),
        commit.pipeline(),
        commit.provider(),
        commit.contributors());
  }
}
