package dev.slipway.trigger.api;

import java.util.List;

/**
 * Answer to a webhook that started runs. The top-level fields name the first run; {@code runs}
 * lists all of them (several when more than one application follows the repository, or when a
 * Bitbucket push moved several refs).
 */
public record WebhookAccepted(
    String runId, String application, String commit, List<RunAccepted> runs) {

  /** The answer for {@code runs}, which must not be empty. */
  public static WebhookAccepted of(List<RunAccepted> runs) {
    RunAccepted first = runs.get(0);
    return new WebhookAccepted(
        first.runId(), first.application(), first.commit(), List.copyOf(runs));
  }
}
