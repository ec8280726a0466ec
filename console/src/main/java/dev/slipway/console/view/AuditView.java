package dev.slipway.console.view;

import dev.slipway.console.client.ApiModel.Dora;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit page's model: the search form and DORA's four keys per application as charts. */
public final class AuditView {

  private AuditView() {}

  /**
   * What the search form asked for.
   *
   * @param application application name
   * @param runId run id
   * @param commit commit SHA
   * @param topic topic
   * @param environment environment
   * @param status status
   */
  public record Search(
      String application,
      String runId,
      String commit,
      String topic,
      String environment,
      String status) {

    /** The query parameters the audit API takes for this search. */
    public Map<String, String> parameters() {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("application", application);
      query.put("runId", runId);
      query.put("commit", commit);
      query.put("topic", topic);
      query.put("environment", environment);
      query.put("status", status);
      query.put("limit", "50");
      return query;
    }
  }

  /**
   * One application's four keys across its environments.
   *
   * @param application the application
   * @param metrics per environment, in chain order
   * @param frequency deployments per day, as an SVG chart
   * @param leadTime median lead time for changes, as an SVG chart
   * @param failureRate change failure rate, as an SVG chart
   * @param restore median time to restore, as an SVG chart
   */
  public record DoraCard(
      String application,
      List<Dora> metrics,
      String frequency,
      String leadTime,
      String failureRate,
      String restore) {

    /** The card of {@code application} from its environments' metrics. */
    public static DoraCard of(String application, List<Dora> metrics) {
      List<BarChart.Bar> frequency = new ArrayList<>();
      List<BarChart.Bar> lead = new ArrayList<>();
      List<BarChart.Bar> failures = new ArrayList<>();
      List<BarChart.Bar> restore = new ArrayList<>();
      for (Dora dora : metrics) {
        String env = dora.environment();
        frequency.add(
            new BarChart.Bar(
                env,
                dora.deploymentFrequency().perDay(),
                dora.deploymentFrequency().deployments()
                    + " ("
                    + BarChart.number(dora.deploymentFrequency().perDay())
                    + "/day)"));
        lead.add(
            new BarChart.Bar(
                env,
                dora.leadTimeForChanges().medianSeconds(),
                Formats.seconds(dora.leadTimeForChanges().medianSeconds())));
        failures.add(
            new BarChart.Bar(
                env,
                dora.changeFailureRate().rate(),
                Formats.percent(dora.changeFailureRate().rate())
                    + " ("
                    + dora.changeFailureRate().failed()
                    + " of "
                    + dora.changeFailureRate().deployments()
                    + ")"));
        restore.add(
            new BarChart.Bar(
                env,
                dora.timeToRestore().medianSeconds(),
                Formats.seconds(dora.timeToRestore().medianSeconds())
                    + (dora.timeToRestore().open() > 0
                        ? ", " + dora.timeToRestore().open() + " open"
                        : "")));
      }
      return new DoraCard(
          application,
          metrics,
          BarChart.svg("Deployment frequency of " + application, frequency),
          BarChart.svg("Median lead time for changes of " + application, lead),
          BarChart.svg("Change failure rate of " + application, failures),
          BarChart.svg("Median time to restore of " + application, restore));
    }
  }
}
