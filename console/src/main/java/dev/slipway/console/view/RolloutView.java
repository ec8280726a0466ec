package dev.slipway.console.view;

import dev.slipway.console.client.ApiModel.RolloutDetail;
import dev.slipway.console.client.ApiModel.RolloutLogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rollout's log grouped by canary step, with the pods each step ran and its analysis samples as
 * deploy-service's log states them ("canary step 1/3 (25%): canary 1 pods, stable 3 pods").
 */
public final class RolloutView {

  private static final Pattern STEP = Pattern.compile("^canary step (\\d+)/(\\d+) \\((\\d+)%\\)");
  private static final Pattern PODS = Pattern.compile("canary (\\d+) pods?, stable (\\d+) pods?");

  private RolloutView() {}

  /**
   * The log entries of one canary step, or of the phases outside any step.
   *
   * @param title "canary step 1/3 (25%)", or "rollout"
   * @param weight the step's traffic weight in percent, or null outside a step
   * @param canaryPods the canary's pods at this step, when the log said
   * @param stablePods the stable pods at this step, when the log said
   * @param samples entries about analysis samples
   * @param entries every entry of the step
   */
  public record StepGroup(
      String title,
      Integer weight,
      Integer canaryPods,
      Integer stablePods,
      List<RolloutLogEntry> samples,
      List<RolloutLogEntry> entries) {}

  /** The groups of {@code detail}'s log, in order. */
  public static List<StepGroup> steps(RolloutDetail detail) {
    List<StepGroup> groups = new ArrayList<>();
    String title = null;
    Integer weight = null;
    Integer canary = null;
    Integer stable = null;
    List<RolloutLogEntry> samples = new ArrayList<>();
    List<RolloutLogEntry> entries = new ArrayList<>();
    for (RolloutLogEntry entry : detail.log()) {
      String message = entry.message() == null ? "" : entry.message();
      Matcher step = STEP.matcher(message);
      boolean inStep = step.find();
      String entryTitle = inStep ? step.group(0) : "rollout";
      if (!entryTitle.equals(title)) {
        if (title != null) {
          groups.add(new StepGroup(title, weight, canary, stable, samples, entries));
        }
        title = entryTitle;
        weight = inStep ? Integer.valueOf(step.group(3)) : null;
        canary = null;
        stable = null;
        samples = new ArrayList<>();
        entries = new ArrayList<>();
      }
      Matcher pods = PODS.matcher(message);
      if (pods.find()) {
        canary = Integer.valueOf(pods.group(1));
        stable = Integer.valueOf(pods.group(2));
      }
      if (message.contains("analysis") || message.contains("sample")) {
        samples.add(entry);
      }
      entries.add(entry);
    }
    if (title != null) {
      groups.add(new StepGroup(title, weight, canary, stable, samples, entries));
    }
    return groups;
  }
}
