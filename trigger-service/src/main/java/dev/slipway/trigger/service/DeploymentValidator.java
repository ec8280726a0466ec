package dev.slipway.trigger.service;

import static dev.slipway.trigger.service.InputChecks.atMostChars;
import static dev.slipway.trigger.service.InputChecks.between;
import static dev.slipway.trigger.service.InputChecks.dnsSubdomain;
import static dev.slipway.trigger.service.InputChecks.lower;
import static dev.slipway.trigger.service.InputChecks.required;

import dev.slipway.events.DeploymentSettings;
import dev.slipway.events.DeploymentSettings.Analysis;
import dev.slipway.events.DeploymentSettings.Analysis.Comparison;
import dev.slipway.events.DeploymentSettings.NamedPort;
import dev.slipway.events.DeploymentSettings.PodOptions;
import dev.slipway.events.DeploymentSettings.Resources;
import dev.slipway.events.DeploymentSettings.SecretKey;
import dev.slipway.events.DeploymentSettings.Volume;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.api.DeploymentBody;
import dev.slipway.trigger.api.DeploymentBody.AnalysisBody;
import dev.slipway.trigger.api.DeploymentBody.PodBody;
import dev.slipway.trigger.api.DeploymentBody.PortBody;
import dev.slipway.trigger.api.DeploymentBody.ResourcesBody;
import dev.slipway.trigger.api.DeploymentBody.SecretKeyBody;
import dev.slipway.trigger.api.DeploymentBody.VolumeBody;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
  private static final Pattern CONFIG_KEY = Pattern.compile("^[-._a-zA-Z0-9]{1,253}$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern PORT_NAME =
      Pattern.compile("^(?=.{1,15}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

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
        analysis(body.analysis(), at + ".analysis"),
        body.adopt(),
        body.selfHeal(),
        body.allowClusterResources(),
        between(body.soakSeconds(), 0, 0, MAX_INTERVAL_SECONDS, at + ".soakSeconds"),
        between(body.minReadySeconds(), 0, 0, MAX_INTERVAL_SECONDS, at + ".minReadySeconds"),
        pod(body.pod(), at + ".pod", env(body.env(), at + ".env")));
  }

  static final int MAX_REFERENCES = 32;

  private static PodOptions pod(PodBody body, String at, Map<String, String> plainEnv) {
    if (body == null) {
      return null;
    }
    List<String> fromConfigMaps = names(body.envFromConfigMaps(), at + ".envFromConfigMaps");
    List<String> fromSecrets = names(body.envFromSecrets(), at + ".envFromSecrets");
    Map<String, SecretKey> secretEnv = new LinkedHashMap<>();
    if (body.secretEnv() != null) {
      if (body.secretEnv().size() > MAX_ENV) {
        throw new InvalidInputException(
            "Field '" + at + ".secretEnv' has more than " + MAX_ENV + " variables.",
            at + ".secretEnv");
      }
      for (Map.Entry<String, SecretKeyBody> variable : body.secretEnv().entrySet()) {
        String field = at + ".secretEnv." + variable.getKey();
        if (!ENV_NAME.matcher(variable.getKey()).matches()) {
          throw new InvalidInputException(
              "Field '" + field + "' is not a valid environment variable name.", field);
        }
        if (plainEnv.containsKey(variable.getKey())) {
          throw new InvalidInputException(
              "Field '" + field + "' is also a plain variable in env; name it once.", field);
        }
        SecretKeyBody key = variable.getValue();
        if (key == null) {
          throw new InvalidInputException(
              "Field '" + field + "' must name a secret and a key.", field);
        }
        String secret = dnsSubdomain(required(key.secret(), field + ".secret"), field + ".secret");
        String name = required(key.key(), field + ".key");
        if (!CONFIG_KEY.matcher(name).matches()) {
          throw new InvalidInputException(
              "Field '"
                  + field
                  + ".key' must be a ConfigMap/Secret key: letters, digits, '-', '_' or '.'.",
              field + ".key");
        }
        secretEnv.put(variable.getKey(), new SecretKey(secret, name));
      }
    }
    List<Volume> volumes = new ArrayList<>();
    java.util.Set<String> volumeNames = new java.util.HashSet<>();
    java.util.Set<String> mountPaths = new java.util.HashSet<>();
    List<VolumeBody> volumeBodies = body.volumes() == null ? List.of() : body.volumes();
    if (volumeBodies.size() > MAX_REFERENCES) {
      throw new InvalidInputException(
          "Field '" + at + ".volumes' has more than " + MAX_REFERENCES + " volumes.",
          at + ".volumes");
    }
    for (int i = 0; i < volumeBodies.size(); i++) {
      VolumeBody volume = volumeBodies.get(i);
      String field = at + ".volumes[" + i + "]";
      if (volume == null) {
        throw new InvalidInputException("Field '" + field + "' must be an object.", field);
      }
      String name = dnsLabel(required(volume.name(), field + ".name"), field + ".name");
      String mountPath = required(volume.mountPath(), field + ".mountPath");
      if (!mountPath.startsWith("/") || mountPath.contains("..") || mountPath.contains(":")) {
        throw new InvalidInputException(
            "Field '" + field + ".mountPath' must be an absolute path without '..' or ':'.",
            field + ".mountPath");
      }
      if ((volume.configMap() == null) == (volume.secret() == null)) {
        throw new InvalidInputException(
            "Field '" + field + "' must name exactly one of configMap and secret.", field);
      }
      String configMap =
          volume.configMap() == null
              ? null
              : dnsSubdomain(volume.configMap(), field + ".configMap");
      String secret =
          volume.secret() == null ? null : dnsSubdomain(volume.secret(), field + ".secret");
      if (!volumeNames.add(name)) {
        throw new InvalidInputException(
            "Field '" + field + ".name' repeats volume '" + name + "'.", field + ".name");
      }
      if (!mountPaths.add(mountPath)) {
        throw new InvalidInputException(
            "Field '" + field + ".mountPath' repeats mount path '" + mountPath + "'.",
            field + ".mountPath");
      }
      volumes.add(new Volume(name, mountPath, configMap, secret));
    }
    String serviceAccount =
        body.serviceAccountName() == null
            ? null
            : dnsSubdomain(body.serviceAccountName(), at + ".serviceAccountName");
    List<String> command = arguments(body.command(), at + ".command");
    List<String> args = arguments(body.args(), at + ".args");
    List<NamedPort> ports = new ArrayList<>();
    List<PortBody> portBodies = body.ports() == null ? List.of() : body.ports();
    if (portBodies.size() > 16) {
      throw new InvalidInputException(
          "Field '" + at + ".ports' has more than 16 ports.", at + ".ports");
    }
    java.util.Set<String> portNames = new java.util.HashSet<>(java.util.Set.of("http"));
    for (int i = 0; i < portBodies.size(); i++) {
      PortBody port = portBodies.get(i);
      String field = at + ".ports[" + i + "]";
      if (port == null) {
        throw new InvalidInputException("Field '" + field + "' must be an object.", field);
      }
      String name = required(port.name(), field + ".name");
      if (!PORT_NAME.matcher(name).matches() || !portNames.add(name)) {
        throw new InvalidInputException(
            "Field '"
                + field
                + ".name' must be a unique IANA service name (lower-case letters, digits and '-', at most 15, not 'http').",
            field + ".name");
      }
      int number = between(port.port(), -1, 1, 65535, field + ".port");
      if (number < 1) {
        throw new InvalidInputException("Field '" + field + ".port' is required.", field + ".port");
      }
      ports.add(new NamedPort(name, number));
    }
    return new PodOptions(
        fromConfigMaps, fromSecrets, secretEnv, volumes, serviceAccount, command, args, ports);
  }

  private static List<String> names(List<String> names, String field) {
    if (names == null) {
      return List.of();
    }
    if (names.size() > MAX_REFERENCES) {
      throw new InvalidInputException(
          "Field '" + field + "' names more than " + MAX_REFERENCES + " objects.", field);
    }
    List<String> checked = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      checked.add(
          dnsSubdomain(required(names.get(i), field + "[" + i + "]"), field + "[" + i + "]"));
    }
    return checked;
  }

  private static List<String> arguments(List<String> values, String field) {
    if (values == null) {
      return List.of();
    }
    if (values.size() > MAX_REFERENCES) {
      throw new InvalidInputException(
          "Field '" + field + "' has more than " + MAX_REFERENCES + " arguments.", field);
    }
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      if (value == null) {
        throw new InvalidInputException(
            "Field '" + field + "[" + i + "]' must be a string.", field + "[" + i + "]");
      }
      atMostChars(value, MAX_ENV_VALUE, field + "[" + i + "]");
      if (value.indexOf('\u0000') >= 0) {
        throw new InvalidInputException(
            "Field '" + field + "[" + i + "]' must not contain NUL.", field + "[" + i + "]");
      }
    }
    return List.copyOf(values);
  }

  private static String dnsLabel(String value, String field) {
    if (value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
      throw new InvalidInputException(
          "Field '"
              + field
              + "' must be a DNS-1123 label: lower-case letters, digits and '-', at most 63.",
          field);
    }
    return value;
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
                analysis.maxRestarts(),
                analysis.prometheusUrl(),
                analysis.initialDelaySeconds(),
                analysis.consecutiveErrorLimit()),
        settings.adopt(),
        settings.selfHeal(),
        settings.allowClusterResources(),
        settings.soakSeconds(),
        settings.minReadySeconds(),
        podView(settings.pod()));
  }

  private static PodBody podView(PodOptions pod) {
    if (pod == null || pod.equals(PodOptions.NONE)) {
      return null;
    }
    Map<String, SecretKeyBody> secretEnv = new LinkedHashMap<>();
    pod.secretEnv().forEach((k, v) -> secretEnv.put(k, new SecretKeyBody(v.secret(), v.key())));
    return new PodBody(
        pod.envFromConfigMaps(),
        pod.envFromSecrets(),
        secretEnv,
        pod.volumes().stream()
            .map(v -> new VolumeBody(v.name(), v.mountPath(), v.configMap(), v.secret()))
            .toList(),
        pod.serviceAccountName(),
        pod.command(),
        pod.args(),
        pod.ports().stream().map(p -> new PortBody(p.name(), p.port())).toList());
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
    String prometheusUrl = null;
    if (body.prometheusUrl() != null) {
      prometheusUrl = body.prometheusUrl();
      java.net.URI uri;
      try {
        uri = java.net.URI.create(prometheusUrl);
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getUserInfo() != null
          || prometheusUrl.length() > 2048) {
        throw new InvalidInputException(
            "Field '"
                + at
                + ".prometheusUrl' must be an http:// or https:// URL with a host and no"
                + " credentials, e.g. http://prometheus.monitoring:9090.",
            at + ".prometheusUrl");
      }
    }
    int initialDelay =
        between(
            body.initialDelaySeconds(), 0, 0, MAX_INTERVAL_SECONDS, at + ".initialDelaySeconds");
    int errorLimit =
        between(body.consecutiveErrorLimit(), 4, 0, 100, at + ".consecutiveErrorLimit");
    return new Analysis(
        query,
        body.threshold(),
        comparison,
        failureLimit,
        samples,
        interval,
        restarts,
        prometheusUrl,
        initialDelay,
        errorLimit);
  }
}
