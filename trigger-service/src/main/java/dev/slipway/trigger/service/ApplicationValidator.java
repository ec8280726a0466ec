package dev.slipway.trigger.service;

import static dev.slipway.trigger.service.InputChecks.atMost;
import static dev.slipway.trigger.service.InputChecks.atMostChars;
import static dev.slipway.trigger.service.InputChecks.dnsLabel;
import static dev.slipway.trigger.service.InputChecks.dnsSubdomain;
import static dev.slipway.trigger.service.InputChecks.lower;
import static dev.slipway.trigger.service.InputChecks.required;

import dev.slipway.events.BuildSettings;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.EnvironmentSpec.Promotion;
import dev.slipway.events.EnvironmentSpec.Strategy;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.events.SourceSpec;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.trigger.GitProvider;
import dev.slipway.trigger.api.ApplicationRequest;
import dev.slipway.trigger.api.BuildBody;
import dev.slipway.trigger.api.EnvironmentBody;
import dev.slipway.trigger.api.ScanPolicyBody;
import dev.slipway.trigger.api.SourceBody;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an application request field by field; the first problem is a 400 naming its field path,
 * e.g. {@code environments[2].deployment.replicas}. Every list is bounded, so one application can
 * never make a commit.received too large for Kafka.
 */
public final class ApplicationValidator {

  static final int MAX_GLOBS = 50;
  static final int MAX_SECRET_GRANTS = 32;
  static final int MAX_GRANT_REFS = 20;
  static final int MAX_ENVIRONMENTS = 10;
  static final int MAX_CANARY_STEPS = 20;
  static final int MAX_LICENSES = 100;
  static final int MAX_APPROVALS = 10;

  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
  private static final Pattern SECRET_NAME = Pattern.compile("^[a-z0-9][a-z0-9.-]*$");
  private static final Pattern BRANCH = Pattern.compile("^[^\\s~^:?*\\[\\\\]+$");
  // SPDX short identifiers (idstring: letters, digits, '.', '-'; '+' in deprecated "or later" ids)
  // and the LicenseRef-/DocumentRef- forms of licences outside the SPDX list.
  private static final Pattern SPDX_ID =
      Pattern.compile(
          "^((DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\\+?)$");
  private static final Pattern SCP_LIKE =
      Pattern.compile("^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:(?!//)[A-Za-z0-9._~/-]+$");
  private static final List<String> ALL = List.of("**");
  private static final int MIN_SECRET = 8;
  private static final int MAX_SECRET = 1024;
  private static final int MAX_GLOB = 255;
  private static final int MAX_URL = 2048;

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
      boolean ignoreUnfixed,
      List<String> deniedLicenses,
      Severity unknownSeverityAs,
      boolean allowWithoutDatabase,
      SourceSpec source,
      String team,
      BuildSettings build) {}

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
    Severity failOn = severity(required(policy.failOn(), "scanPolicy.failOn"), "scanPolicy.failOn");
    Severity unknownSeverityAs =
        policy.unknownSeverityAs() == null
            ? ScanPolicy.DEFAULT_UNKNOWN_SEVERITY_AS
            : severity(policy.unknownSeverityAs(), "scanPolicy.unknownSeverityAs");
    return new ValidApplication(
        name,
        repoUrl,
        provider,
        secret,
        branches,
        tags,
        environments,
        failOn,
        Boolean.TRUE.equals(policy.ignoreUnfixed()),
        licenses(policy.deniedLicenses(), "scanPolicy.deniedLicenses"),
        unknownSeverityAs,
        Boolean.TRUE.equals(policy.allowWithoutDatabase()),
        source(request.source()),
        team(request.team()),
        build(request.build(), environments));
  }

  private static BuildSettings build(BuildBody body, List<EnvironmentSpec> environments) {
    if (body == null) {
      return BuildSettings.DEFAULT;
    }
    String defaultBranch =
        body.defaultBranch() == null ? "main" : branch(body.defaultBranch(), "build.defaultBranch");
    List<String> protectedRefs =
        body.protectedRefs() == null
            ? List.of()
            : globs(body.protectedRefs(), "build.protectedRefs");
    List<BuildSettings.SecretGrant> grants = new java.util.ArrayList<>();
    List<BuildBody.SecretGrantBody> secrets =
        body.secrets() == null
            ? List.of()
            : atMost(body.secrets(), MAX_SECRET_GRANTS, "build.secrets");
    Set<String> named = new HashSet<>();
    Set<String> chain = new HashSet<>();
    environments.forEach(e -> chain.add(e.name()));
    for (int i = 0; i < secrets.size(); i++) {
      String at = "build.secrets[" + i + "]";
      BuildBody.SecretGrantBody grant = secrets.get(i);
      if (grant == null) {
        throw new InvalidInputException("Field '" + at + "' is required.", at);
      }
      String secret = required(grant.secret(), at + ".secret");
      if (secret.length() > 253 || !SECRET_NAME.matcher(secret).matches()) {
        throw new InvalidInputException(
            "Field '"
                + at
                + ".secret' must name a build-service secret: lower-case letters, digits, '.' and"
                + " '-', as .slipway.yaml's secrets name it.",
            at + ".secret");
      }
      if (!named.add(secret)) {
        throw new InvalidInputException(
            "Field '" + at + ".secret' grants " + secret + " a second time.", at + ".secret");
      }
      List<String> refs =
          grant.refs() == null
              ? List.of()
              : globs(atMost(grant.refs(), MAX_GRANT_REFS, at + ".refs"), at + ".refs");
      List<String> bound =
          grant.environments() == null
              ? List.of()
              : atMost(grant.environments(), MAX_ENVIRONMENTS, at + ".environments");
      for (int j = 0; j < bound.size(); j++) {
        if (bound.get(j) == null || !chain.contains(bound.get(j))) {
          throw new InvalidInputException(
              "Field '"
                  + at
                  + ".environments["
                  + j
                  + "]' names no environment of this application's chain.",
              at + ".environments[" + j + "]");
        }
      }
      if (refs.isEmpty() && bound.isEmpty()) {
        throw new InvalidInputException(
            "Field '"
                + at
                + "' binds the secret to nothing: name the refs whose builds may read it (refs)"
                + " or the environments it belongs to (environments).",
            at + ".refs");
      }
      grants.add(new BuildSettings.SecretGrant(secret, refs, bound));
    }
    return new BuildSettings(defaultBranch, protectedRefs, grants);
  }

  /**
   * A branch name as Git allows it (no spaces, control characters, {@code ..} or {@code ~^:?*[\}).
   */
  private static String branch(String value, String field) {
    required(value, field);
    if (value.length() > MAX_GLOB
        || CONTROL.matcher(value).find()
        || !BRANCH.matcher(value).matches()
        || value.contains("..")
        || value.startsWith("/")
        || value.endsWith("/")
        || value.endsWith(".lock")) {
      throw new InvalidInputException(
          "Field '" + field + "' must be a branch name such as main or release/1.x.", field);
    }
    return value;
  }

  /** A folder of the repository: relative, without {@code ..}. */
  private static String directory(String value, String field) {
    required(value, field);
    atMostChars(value, MAX_URL, field);
    String normalized = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    boolean climbs = java.util.Arrays.asList(normalized.split("/")).contains("..");
    if (normalized.isEmpty()
        || normalized.startsWith("/")
        || climbs
        || value.contains("\\")
        || CONTROL.matcher(value).find()) {
      throw new InvalidInputException(
          "Field '"
              + field
              + "' must be a folder of the repository, relative to its root and without '..',"
              + " such as services/shop.",
          field);
    }
    return normalized;
  }

  private static List<String> globs(List<String> globs, String field) {
    if (globs == null) {
      return ALL;
    }
    atMost(globs, MAX_GLOBS, field);
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
    atMost(bodies, MAX_ENVIRONMENTS, "environments");
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
      dnsSubdomain(body.cluster(), at + ".cluster");
      dnsLabel(body.namespace(), at + ".namespace");
      Promotion promotion =
          switch (lower(required(body.promotion(), at + ".promotion"))) {
            case "auto" -> Promotion.AUTO;
            case "manual" -> Promotion.MANUAL;
            default ->
                throw new InvalidInputException(
                    "Field '" + at + ".promotion' must be auto or manual.", at + ".promotion");
          };
      int approvals = approvals(body.requiredApprovals(), promotion, at + ".requiredApprovals");
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
              steps,
              DeploymentValidator.validate(body.deployment(), at + ".deployment"),
              approvalExpiry(body.approvalExpiry(), at + ".approvalExpiry")));
    }
    return List.copyOf(specs);
  }

  private static String team(String team) {
    if (team == null) {
      return null;
    }
    dnsLabel(team, "team");
    return team;
  }

  private static String approvalExpiry(String expiry, String field) {
    if (expiry == null) {
      return null;
    }
    try {
      java.time.Duration parsed = java.time.Duration.parse(expiry);
      if (parsed.isNegative()
          || parsed.isZero()
          || parsed.compareTo(java.time.Duration.ofDays(30)) > 0) {
        throw new InvalidInputException(
            "Field '" + field + "' must be a positive ISO-8601 duration of at most 30 days.",
            field);
      }
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidInputException(
          "Field '" + field + "' must be an ISO-8601 duration such as PT24H.", field);
    }
    return expiry;
  }

  /**
   * Approvals gate entry into a manual environment: at least one (the default); an automatic one is
   * entered without any, so a number there would be a misunderstanding.
   */
  private static int approvals(Integer given, Promotion promotion, String field) {
    if (promotion == Promotion.AUTO) {
      if (given != null && given != 0) {
        throw new InvalidInputException(
            "Field '"
                + field
                + "' applies to manual environments only; an automatic one is entered without"
                + " approval.",
            field);
      }
      return 0;
    }
    int approvals = given == null ? 1 : given;
    if (approvals < 1 || approvals > MAX_APPROVALS) {
      throw new InvalidInputException(
          "Field '"
              + field
              + "' must be between 1 and "
              + MAX_APPROVALS
              + " for a manual"
              + " environment.",
          field);
    }
    return approvals;
  }

  private static List<Integer> canarySteps(List<Integer> steps, Strategy strategy, String at) {
    List<Integer> given = steps == null ? List.of() : atMost(steps, MAX_CANARY_STEPS, at);
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

  private static List<String> licenses(List<String> ids, String field) {
    if (ids == null) {
      return List.of();
    }
    atMost(ids, MAX_LICENSES, field);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      String at = field + "[" + i + "]";
      String id = required(ids.get(i), at);
      if (id.length() > 100 || !SPDX_ID.matcher(id).matches()) {
        throw new InvalidInputException(
            "Field '"
                + at
                + "' must be an SPDX licence identifier such as AGPL-3.0-only or"
                + " LicenseRef-acme-internal.",
            at);
      }
      if (!seen.add(id.toLowerCase(Locale.ROOT))) {
        throw new InvalidInputException("Field '" + at + "' repeats licence " + id + ".", at);
      }
    }
    return List.copyOf(ids);
  }

  private static SourceSpec source(SourceBody body) {
    if (body == null) {
      return SourceSpec.DEFAULT;
    }
    String cloneUrl = body.cloneUrl() == null ? null : cloneUrl(body.cloneUrl(), "source.cloneUrl");
    String credentials =
        body.credentialsRef() == null
            ? null
            : dnsSubdomain(body.credentialsRef(), "source.credentialsRef");
    String directory =
        body.directory() == null ? null : directory(body.directory(), "source.directory");
    return new SourceSpec(cloneUrl, credentials, directory);
  }

  /**
   * An https, ssh (or scp-like) or file URL without credentials in it: the registry is readable by
   * every viewer, so a token pasted into a URL must not be stored.
   */
  private static String cloneUrl(String value, String field) {
    required(value, field);
    atMostChars(value, MAX_URL, field);
    String problem =
        "Field '"
            + field
            + "' must be an https://, ssh://, git@host:path or file:/// URL without credentials"
            + " (name them in source.credentialsRef).";
    if (!value.contains("://")) {
      if (SCP_LIKE.matcher(value).matches()) {
        return value;
      }
      throw new InvalidInputException(problem, field);
    }
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new InvalidInputException(problem, field);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String path = uri.getPath();
    boolean valid =
        switch (scheme) {
          case "https" -> uri.getHost() != null && uri.getUserInfo() == null;
          case "ssh" ->
              uri.getHost() != null
                  && (uri.getUserInfo() == null || !uri.getUserInfo().contains(":"));
          case "file" ->
              (uri.getHost() == null || uri.getHost().isEmpty())
                  && uri.getAuthority() == null
                  && path != null
                  && path.startsWith("/")
                  && !path.contains("/../")
                  && !path.endsWith("/..");
          default -> false;
        };
    if (!valid
        || uri.getQuery() != null
        || uri.getFragment() != null
        || path == null
        || path.length() < 2) {
      throw new InvalidInputException(problem, field);
    }
    return value;
  }

  private static Severity severity(String value, String field) {
    try {
      Severity severity = Severity.valueOf(value.trim().toUpperCase(Locale.ROOT));
      if (severity != Severity.UNKNOWN) {
        return severity;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new InvalidInputException(
        "Field '" + field + "' must be one of low, medium, high, critical.", field);
  }
}
