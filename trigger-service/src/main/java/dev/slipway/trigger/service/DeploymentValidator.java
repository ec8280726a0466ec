package dev.slipway.trigger.service;

import static dev.slipway.trigger.service.InputChecks.atMostChars;
import static dev.slipway.trigger.service.InputChecks.between;
import static dev.slipway.trigger.service.InputChecks.dnsSubdomain;
import static dev.slipway.trigger.service.InputChecks.lower;
import static dev.slipway.trigger.service.InputChecks.required;

import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.DeploymentSettings.Analysis.Comparison;
import dev.slipway.events.DeploymentSettings.Resources;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.api.DeploymentBody;
import dev.slipway.trigger.api.DeploymentBody.AnalysisBody;
import dev.slipway.trigger.api.DeploymentBody.ResourcesBody;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the deployment settings of one environment and turns them into the event contract's {@link
 * DeploymentSettings}; the defaults are that record's. Bounds keep every commit.received well under
 * Kafka's record limit: at most 64 variables and 32 KiB of them per environment.
 */
final class DeploymentValidator {

  static final int MAX_REPLICAS = 100;
  static final int MAX_TIMEOUT_SECONDS = 86_400;
  static final int MAX_ENV = 64;
  static final int MAX_ENV_VALUE = 4096;
  static final int MAX_ENV_TOTAL = 32 * 1024;
  static final int MAX_QUERY = 4096;
  static final int MAX_SAMPLES = 100;
  static final int MAX_INTERVAL_SECONDS = 3600;

  // POSIX portable names, as the shell and Kubernetes' classic check (C_IDENTIFIER) accept them.
  private static final Pattern ENV_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,255}$");
  private static final Pattern HTTP_PATH = Pattern.compile("^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$");

  private DeploymentValidator() {}

  /** The settings {@code body} describes; {@code at} is the field path of the body. */
  static DeploymentSettings validate(DeploymentBody body, String at) {
    if (body == null) {
      return DeploymentSettings.DEFAULTS;
    }
    int replicas = between(body.replicas(), 2, 1, MAX_REPLICAS, at + ".replicas");
    int port = between(body.port(), 8080, 1, 65535, at + ".port");
    int timeout =
        between(body.timeoutSeconds(), 300, 1, MAX_TIMEOUT_SECONDS, at + ".timeoutSeconds");
    String healthPath = body.healthPath();
    if (healthPath != null
        && (atMostChars(healthPath, 1024, at + ".healthPath").isEmpty()
            || !HTTP_PATH.matcher(healthPath).matches())) {
      throw new InvalidInputException(
          "Field '" + at + ".healthPath' must be an HTTP path starting with '/', e.g. /healthz.",
          at + ".healthPath");
    }
    String route =
        body.httpRoute() == null ? null : dnsSubdomain(body.httpRoute(), at + ".httpRoute");
    return new DeploymentSettings(
        replicas,
        port,
        resources(body.resources(), at + ".resources"),
        healthPath,
        env(body.env(), at + ".env"),
        timeout,
        route,
        analysis(body.analysis(), at + ".analysis"));
  }

  /** The API form of {@code settings}, every default filled in. */
  static DeploymentBody view(DeploymentSettings settings) {
    Resources resources = settings.resources();
    Analysis analysis = settings.analysis();
    return new DeploymentBody(
        settings.replicas(),
        settings.port(),
        resources == null
            ? null
            : new ResourcesBody(
                resources.cpuRequest(),
                resources.memoryRequest(),
                resources.cpuLimit(),
                resources.memoryLimit()),
        settings.healthPath(),
        settings.env(),
        settings.timeoutSeconds(),
        settings.httpRoute(),
        analysis == null
            ? null
            : new AnalysisBody(
                analysis.prometheusQuery(),
                analysis.threshold(),
                analysis.comparison().name().toLowerCase(Locale.ROOT),
                analysis.failureLimit(),
                analysis.samples(),
                analysis.intervalSeconds(),
                analysis.maxRestarts()));
  }

  private static Resources resources(ResourcesBody body, String at) {
    if (body == null) {
      return null;
    }
    BigDecimal cpuRequest = quantity(body.cpuRequest(), at + ".cpuRequest");
    BigDecimal cpuLimit = quantity(body.cpuLimit(), at + ".cpuLimit");
    BigDecimal memoryRequest = quantity(body.memoryRequest(), at + ".memoryRequest");
    BigDecimal memoryLimit = quantity(body.memoryLimit(), at + ".memoryLimit");
    requestWithinLimit(cpuRequest, cpuLimit, at + ".cpuRequest");
    requestWithinLimit(memoryRequest, memoryLimit, at + ".memoryRequest");
    return new Resources(
        body.cpuRequest(), body.memoryRequest(), body.cpuLimit(), body.memoryLimit());
  }

  private static BigDecimal quantity(String value, String field) {
    if (value == null) {
      return null;
    }
    BigDecimal amount;
    try {
      // fabric8's parser knows Kubernetes' suffixes (m, k, Mi, Gi, e3, ...); it takes signs too.
      amount = Quantity.getAmountInBytes(Quantity.parse(value));
    } catch (RuntimeException e) {
      amount = null;
    }
    if (amount == null
        || value.length() > 32
        || value.startsWith("+")
        || value.startsWith("-")
        || amount.signum() <= 0) {
      throw new InvalidInputException(
          "Field '"
              + field
              + "' must be a positive Kubernetes quantity such as 250m, 0.5, 128Mi or 1Gi.",
          field);
    }
    return amount;
  }

  private static void requestWithinLimit(BigDecimal request, BigDecimal limit, String field) {
    if (request != null && limit != null && request.compareTo(limit) > 0) {
      throw new InvalidInputException(
          "Field '" + field + "' is more than its limit; Kubernetes would reject the pod.", field);
    }
  }

  private static Map<String, String> env(Map<String, String> env, String at) {
    if (env == null) {
      return Map.of();
    }
    if (env.size() > MAX_ENV) {
      throw new InvalidInputException(
          "Field '" + at + "' has " + env.size() + " variables; at most " + MAX_ENV + ".", at);
    }
    int total = 0;
    Map<String, String> checked = new LinkedHashMap<>();
    for (Map.Entry<String, String> variable : env.entrySet()) {
      String name = variable.getKey();
      String field = at + "." + name;
      if (!ENV_NAME.matcher(name).matches()) {
        throw new InvalidInputException(
            "Field '"
                + field
                + "' is not a valid environment variable name: letters, digits and '_', not"
                + " starting with a digit, at most 256.",
            field);
      }
      String value = variable.getValue();
      if (value == null) {
        throw new InvalidInputException("Field '" + field + "' must be a string.", field);
      }
      atMostChars(value, MAX_ENV_VALUE, field);
      if (value.indexOf('\u0000') >= 0) {
        throw new InvalidInputException("Field '" + field + "' must not contain NUL.", field);
      }
      total += name.length() + value.length();
      checked.put(name, value);
    }
    if (total > MAX_ENV_TOTAL) {
      throw new InvalidInputException(
          "Field '" + at + "' holds " + total + " characters; at most " + MAX_ENV_TOTAL + ".", at);
    }
    return checked;
  }

  private static void onlyWithQuery(Object value, String field) {
    if (value != null) {
      throw new InvalidInputException(
          "Field '" + field + "' needs a prometheusQuery to apply to.", field);
    }
  }

  private static Analysis analysis(AnalysisBody body, String at) {
    if (body == null) {
      return null;
    }
    String query = body.prometheusQuery();
    if (query != null) {
      required(query, at + ".prometheusQuery");
      atMostChars(query, MAX_QUERY, at + ".prometheusQuery");
      if (body.threshold() == null) {
        throw new InvalidInputException(
            "Field '" + at + ".threshold' is required with a prometheusQuery.", at + ".threshold");
      }
      if (!Double.isFinite(body.threshold())) {
        throw new InvalidInputException(
            "Field '" + at + ".threshold' must be a finite number.", at + ".threshold");
      }
    } else {
      onlyWithQuery(body.threshold(), at + ".threshold");
      onlyWithQuery(body.comparison(), at + ".comparison");
      onlyWithQuery(body.failureLimit(), at + ".failureLimit");
    }
    Comparison comparison = Comparison.BELOW;
    if (body.comparison() != null) {
      comparison =
          switch (lower(body.comparison())) {
            case "below" -> Comparison.BELOW;
            case "above" -> Comparison.ABOVE;
            default ->
                throw new InvalidInputException(
                    "Field '" + at + ".comparison' must be below or above.", at + ".comparison");
          };
    }
    int samples = between(body.samples(), 1, 1, MAX_SAMPLES, at + ".samples");
    int failureLimit = between(body.failureLimit(), 0, 0, samples - 1, at + ".failureLimit");
    int interval =
        between(body.intervalSeconds(), 10, 0, MAX_INTERVAL_SECONDS, at + ".intervalSeconds");
    int restarts = between(body.maxRestarts(), 0, 0, 100, at + ".maxRestarts");
    return new Analysis(
        query, body.threshold(), comparison, failureLimit, samples, interval, restarts);
  }
}
