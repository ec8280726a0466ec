package dev.slipway.events;

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
 */
public record RunContext(
    String repoUrl, String ref, Person author, String actor, PipelineSnapshot pipeline) {

  public RunContext {
    Require.text(repoUrl, "repoUrl");
    Require.text(ref, "ref");
    Require.present(author, "author");
    Require.text(actor, "actor");
    Require.present(pipeline, "pipeline");
  }

  /** The context a commit.received starts. */
  public static RunContext of(CommitReceived commit) {
    return new RunContext(
        commit.repoUrl(), commit.ref(), commit.author(), commit.actor(), commit.pipeline());
  }
}
