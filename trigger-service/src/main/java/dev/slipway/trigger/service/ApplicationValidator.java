package dev.slipway.trigger.service;

import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.Severity;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.api.ApplicationRequest;
import dev.slipway.trigger.api.EnvironmentBody;
import dev.slipway.trigger.api.ScanPolicyBody;
import dev.slipway.trigger.problem.InvalidInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks an application request field by field; the first problem is a 400 naming its field. */
public final class ApplicationValidator {

  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
  private static final List<String> ALL = List.of("**");
  private static final int MIN_SECRET = 8;
  private static final int MAX_SECRET = 1024;
  private static final int MAX_GLOB = 255;

  private ApplicationValidator() {}

  /**
   * An application request after every check.
   *
   * @param webhookSecret null when a PUT keeps the stored secret
   */
  public record ValidApplication(
      String name,
      String repoUrl,
      GitProvider provider,
      String webhookSecret,
      List<String> branches,
      List<String> tags,
      List<EnvironmentSpec> environments,
      Severity failOn,
      boolean ignoreUnfixed) {}

  /** Checks {@code request}; {@code pathName} is the name in the URL of a PUT, else null. */
  public static ValidApplication validate(ApplicationRequest request, String pathName) {
    if (request == null) {
      throw new InvalidInputException("A JSON body is required.", "(body)");
    }
    String name = request.name();
    if (pathName != null) {
      if (name != null && !name.equals(pathName)) {
        throw new InvalidInputException(
            "Field 'name' is '"
                + name
                + "' but the URL names '"
                + pathName
                + "'; renaming is not supported.",
            "name");
      }
      name = pathName;
    }
    dnsLabel(name, "name");
    String repoUrl =
        RepositoryUrl.normalize(required(request.repositoryUrl(), "repositoryUrl"))
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "Field 'repositoryUrl' is not a repository URL such as"
                            + " https://github.com/acme/shop or git@github.com:acme/shop.git.",
                        "repositoryUrl"));
    GitProvider provider =
        GitProvider.fromId(required(request.provider(), "provider"))
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "Field 'provider' must be one of github, gitlab, bitbucket, gitea.",
                        "provider"));
    String secret = request.webhookSecret();
    if (secret != null || pathName == null) {
      required(secret, "webhookSecret");
      if (secret.length() < MIN_SECRET || secret.length() > MAX_SECRET) {
        throw new InvalidInputException(
            "Field 'webhookSecret' must be " + MIN_SECRET + " to " + MAX_SECRET + " characters.",
            "webhookSecret");
      }
    }
    List<String> branches = globs(request.branches(), "branches");
    List<String> tags = globs(request.tags(), "tags");
    List<EnvironmentSpec> environments = environments(request.environments());
    ScanPolicyBody policy = request.scanPolicy();
    if (policy == null) {
      throw new InvalidInputException("Field 'scanPolicy' is required.", "scanPolicy");
    }
    Severity failOn = severity(required(policy.failOn(), "scanPolicy.failOn"));
    return new ValidApplication(
        name,
        repoUrl,
        provider,
        secret,
        branches,
        tags,
        environments,
        failOn,
        Boolean.TRUE.equals(policy.ignoreUnfixed()));
  }

  private static List<String> globs(List<String> globs, String field) {
    if (globs == null) {
      return ALL;
    }
    for (int i = 0; i < globs.size(); i++) {
      String glob = globs.get(i);
      String at = field + "[" + i + "]";
      required(glob, at);
      if (glob.length() > MAX_GLOB || CONTROL.matcher(glob).find() || glob.contains(" ")) {
        throw new InvalidInputException(
            "Field '" + at + "' must be a glob of at most 255 characters without spaces.", at);
      }
    }
    return List.copyOf(globs);
  }

  private static List<EnvironmentSpec> environments(List<EnvironmentBody> bodies) {
    if (bodies == null) {
      throw new InvalidInputException(
          "Field 'environments' is required (an empty list for build and scan only).",
          "environments");
    }
    List<EnvironmentSpec> specs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < bodies.size(); i++) {
      String at = "environments[" + i + "]";
      EnvironmentBody body = bodies.get(i);
      if (body == null) {
        throw new InvalidInputException("Field '" + at + "' must be an object.", at);
      }
      dnsLabel(body.name(), at + ".name");
      if (!names.add(body.name())) {
        throw new InvalidInputException(
            "Field '" + at + ".name' repeats environment '" + body.name() + "'.", at + ".name");
      }
      required(body.cluster(), at + ".cluster");
      dnsLabel(body.namespace(), at + ".namespace");
      Promotion promotion =
          switch (lower(required(body.promotion(), at + ".promotion"))) {
            case "auto" -> Promotion.AUTO;
            case "manual" -> Promotion.MANUAL;
            default ->
                throw new InvalidInputException(
                    "Field '" + at + ".promotion' must be auto or manual.", at + ".promotion");
          };
      int approvals = body.requiredApprovals() == null ? 0 : body.requiredApprovals();
      if (approvals < 0 || approvals > 10) {
        throw new InvalidInputException(
            "Field '" + at + ".requiredApprovals' must be between 0 and 10.",
            at + ".requiredApprovals");
      }
      Strategy strategy =
          switch (lower(required(body.strategy(), at + ".strategy"))) {
            case "rolling" -> Strategy.ROLLING;
            case "canary" -> Strategy.CANARY;
            default ->
                throw new InvalidInputException(
                    "Field '" + at + ".strategy' must be rolling or canary.", at + ".strategy");
          };
      List<Integer> steps = canarySteps(body.canarySteps(), strategy, at + ".canarySteps");
      specs.add(
          new EnvironmentSpec(
              body.name(),
              body.cluster(),
              body.namespace(),
              promotion,
              approvals,
              strategy,
              steps));
    }
    return List.copyOf(specs);
  }

  private static List<Integer> canarySteps(List<Integer> steps, Strategy strategy, String at) {
    List<Integer> given = steps == null ? List.of() : steps;
    if (strategy == Strategy.ROLLING) {
      if (!given.isEmpty()) {
        throw new InvalidInputException(
            "Field '" + at + "' is only allowed with strategy canary.", at);
      }
      return List.of();
    }
    if (given.isEmpty()) {
      throw new InvalidInputException(
          "Field '" + at + "' is required for a canary, e.g. [10, 50, 100].", at);
    }
    int previous = 0;
    for (Integer step : given) {
      if (step == null || step <= previous || step > 100) {
        throw new InvalidInputException(
            "Field '" + at + "' must be ascending percentages from 1 to 100.", at);
      }
      previous = step;
    }
    if (previous != 100) {
      throw new InvalidInputException("Field '" + at + "' must end at 100.", at);
    }
    return List.copyOf(given);
  }

  private static Severity severity(String value) {
    try {
      Severity severity = Severity.valueOf(value.trim().toUpperCase(Locale.ROOT));
      if (severity != Severity.UNKNOWN) {
        return severity;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new InvalidInputException(
        "Field 'scanPolicy.failOn' must be one of low, medium, high, critical.",
        "scanPolicy.failOn");
  }

  private static void dnsLabel(String value, String field) {
    required(value, field);
    if (!DNS_LABEL.matcher(value).matches()) {
      throw new InvalidInputException(
          "Field '"
              + field
              + "' must be a DNS label: lower-case letters, digits and '-', at most 63, starting and"
              + " ending with a letter or digit.",
          field);
    }
  }

  private static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException("Field '" + field + "' is required.", field);
    }
    return value;
  }

  private static String lower(String value) {
    return value.trim().toLowerCase(Locale.ROOT);
  }
}
