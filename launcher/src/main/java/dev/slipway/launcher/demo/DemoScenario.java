package dev.slipway.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.Topics;
import dev.slipway.launcher.demo.PlatformClient.Answer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The demo's story, told through Slipway's public APIs only: register an application, push three
 * commits to its repository and send the signed GitHub webhook for each, and follow every run in
 * the audit store. The clean commit goes dev, staging (automatic), then prod after a second person
 * approved, as a canary; the vulnerable one is stopped by the scan; the one whose pods never become
 * ready is rolled back. Each expectation that does not hold ends the story with where it stopped.
 */
public final class DemoScenario {

  /** The demo application's name. */
  public static final String APPLICATION = "demo-shop";

  /** Who writes and pushes the demo's commits: they may not approve their own change. */
  public static final PersonIdent AUTHOR = new PersonIdent("Ada Lovelace", "ada@example.com");

  public static final String AUTHOR_LOGIN = "ada";

  /** The second person, who approves the production deploy. */
  public static final String APPROVER = "grace";

  /**
   * The shop's scan policy fails on high and above: the critical minimist advisory stops its
   * commit, the medium one of its Debian base (DEBIAN-CVE-2026-56410, expat) is reported only.
   */
  static final String FAIL_ON = "high";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PlatformClient client;
  private final Tokens tokens;
  private final DemoRepository repository;
  private final PrintStream out;
  private final Settings settings;
  private final String webhookSecret = UUID.randomUUID().toString();
  private java.util.function.Consumer<Run> onPush = run -> {};
  private ProdApproval prodApproval = this::approveThroughTheApi;

  public DemoScenario(
      PlatformClient client,
      Tokens tokens,
      DemoRepository repository,
      PrintStream out,
      Settings settings) {
    this.client = client;
    this.tokens = tokens;
    this.repository = repository;
    this.out = out;
    this.settings = settings;
  }

  /**
   * Who approves the production deploy, and how: by default the API, first as the author (who must
   * be refused) and then as the approver. The console's browser test approves through its pages.
   */
  @FunctionalInterface
  public interface ProdApproval {
    /** Approves (or has approved) the pending approval {@code approvalId} of {@code run}. */
    void approve(Run run, String approvalId);
  }

  /** Runs {@code hook} right after each commit is pushed (the browser test opens its build). */
  public DemoScenario onPush(java.util.function.Consumer<Run> hook) {
    this.onPush = hook;
    return this;
  }

  /** Approves production deploys with {@code approval} instead of the API. */
  public DemoScenario prodApproval(ProdApproval approval) {
    this.prodApproval = approval;
    return this;
  }

  /** Signs bearer tokens for the demo's users. */
  @FunctionalInterface
  public interface Tokens {
    String token(String user, String... roles);
  }

  /**
   * What the demo may wait for.
   *
   * @param stageTimeout the longest wait for any one stage
   * @param canaryStepSeconds the pause of each canary step in prod
   */
  public record Settings(Duration stageTimeout, int canaryStepSeconds) {
    public static Settings defaults() {
      return new Settings(Duration.ofMinutes(3), 2);
    }
  }

  /** Registers (or updates) the demo application: dev -> staging -> prod, prod needing approval. */
  public void register() {
    String admin = tokens.token("demo-admin", "admin");
    ObjectNode app = application();
    Answer created = client.post(client.endpoints().trigger() + "/api/apps", admin, app);
    if (created.status() == 409) {
      app.remove("name");
      created = client.put(client.endpoints().trigger() + "/api/apps/" + APPLICATION, admin, app);
    }
    created.expect(200, 201);
    say(
        "registered %s: dev -> staging (automatic) -> prod (1 approval, canary %s)",
        APPLICATION, "25% -> 50% -> 100%");
  }

  /**
   * Commits {@code change}, pushes it and sends the signed GitHub push webhook; returns the run the
   * trigger service started.
   */
  public Run push(DemoChange change) {
    String sha = repository.commitAndPush(change, AUTHOR);
    byte[] body = GitHubPush.body(APPLICATION, sha, change.message(), AUTHOR, AUTHOR_LOGIN);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("X-GitHub-Event", "push");
    headers.put("X-GitHub-Delivery", UUID.randomUUID().toString());
    headers.put("X-GitHub-Hook-ID", "4242");
    headers.put("X-Hub-Signature-256", "sha256=" + hmac(body));
    Answer accepted =
        client
            .postRaw(
                client.endpoints().trigger() + "/webhooks/github/" + APPLICATION, headers, body)
            .expect(200, 201, 202);
    String runId = accepted.json().path("runId").asText();
    if (runId.isEmpty()) {
      throw new DemoFailure("push", "the webhook was accepted without a run: " + accepted.body());
    }
    say("pushed %s \"%s\" -> run %s", sha.substring(0, 7), change.message(), shortId(runId));
    Run run = new Run(runId, sha, Instant.now());
    onPush.accept(run);
    return run;
  }

  /**
   * The shop's first release, all the way to prod, when prod runs nothing yet (a fresh platform): a
   * first release has no stable version to canary against, so it rolls out directly there, as Argo
   * Rollouts does. Returns whether one was needed.
   */
  public boolean firstReleaseIfProdIsEmpty() {
    Answer releases =
        client.get(
            client.endpoints().deploy()
                + "/api/apps/"
                + APPLICATION
                + "/environments/prod/releases",
            tokens.token("demo-viewer", "viewer"));
    if (releases.status() == 200 && !releases.json().path("items").isEmpty()) {
      return false;
    }
    toProduction(DemoChange.FIRST_RELEASE, () -> {});
    return true;
  }

  /** The clean commit: built, scanned, dev and staging at once, prod after approval, canary. */
  public RunReport cleanCommitToProduction() {
    return cleanCommitToProduction(() -> {});
  }

  /**
   * The clean commit, with {@code duringProdRollout} run once the prod rollout has taken its first
   * step (the end-to-end test kills deploy-service there).
   */
  public RunReport cleanCommitToProduction(Runnable duringProdRollout) {
    return toProduction(DemoChange.CLEAN, duringProdRollout);
  }

  private RunReport toProduction(DemoChange change, Runnable duringProdRollout) {
    Run run = push(change);
    Timeline timeline = new Timeline(run);
    follow(timeline, t -> t.deployDone("staging").isPresent(), "the staging rollout");
    requireStatus(timeline, "build.done", null, "SUCCEEDED");
    requireStatus(timeline, "scan.done", null, "PASSED");
    requireStatus(timeline, "deploy.done", "dev", "SUCCEEDED");
    requireStatus(timeline, "deploy.done", "staging", "SUCCEEDED");
    JsonNode approval = awaitPendingApproval(run, "prod");
    say(
        "prod waits for approval %s (needs %d)",
        shortId(approval.path("id").asText()), approval.path("required").asInt());
    prodApproval.approve(run, approval.path("id").asText());
    follow(
        timeline,
        t -> t.deployDone("prod").isPresent() || t.rolloutStarted("prod"),
        "the prod rollout to start");
    duringProdRollout.run();
    follow(timeline, t -> t.deployDone("prod").isPresent(), "the prod rollout");
    requireStatus(timeline, "deploy.done", "prod", "SUCCEEDED");
    return timeline.report();
  }

  /** The API's way: the author is refused (their own change), then the approver approves. */
  private void approveThroughTheApi(Run run, String approvalId) {
    String approvalUrl = client.endpoints().deploy() + "/api/approvals/" + approvalId;
    Answer selfApproval =
        client.post(approvalUrl + "/approve", tokens.token(AUTHOR_LOGIN, "approver"), null);
    if (selfApproval.status() != 403) {
      throw new DemoFailure(
          "approval",
          "the commit's author could approve their own change: HTTP " + selfApproval.status());
    }
    say("  %s may not approve their own change: %s", AUTHOR_LOGIN, detail(selfApproval));
    client.post(approvalUrl + "/approve", tokens.token(APPROVER, "approver"), null).expect(200);
    say("  %s approved", APPROVER);
  }

  /** The commit that adds a dependency with a critical advisory: the scan stops it. */
  public RunReport vulnerableCommitStoppedByTheScan() {
    Run run = push(DemoChange.VULNERABLE);
    Timeline timeline = new Timeline(run);
    follow(timeline, t -> t.last("scan.done").isPresent(), "the scan");
    requireStatus(timeline, "scan.done", null, "FAILED");
    // Anything the gate would have released arrives right after scan.done; give it a moment.
    sleep(Duration.ofSeconds(2));
    follow(timeline, t -> true, "the audit timeline");
    if (timeline.last("deploy.requested").isPresent()) {
      throw new DemoFailure("scan", "a deploy was requested although the scan failed");
    }
    say("nothing deployed: the run ends at the scan");
    return timeline.report();
  }

  /** The commit whose pods never become ready: dev rolls back to the running release. */
  public RunReport neverReadyCommitRolledBack() {
    Run run = push(DemoChange.NEVER_READY);
    Timeline timeline = new Timeline(run);
    follow(timeline, t -> t.deployDone("dev").isPresent(), "the dev rollout");
    requireStatus(timeline, "deploy.done", "dev", "ROLLED_BACK");
    return timeline.report();
  }

  /** The audit store's view: the run's timeline as a table. */
  public void printTimeline(RunReport report) {
    say("audit timeline of run %s:", shortId(report.runId()));
    printTimeline(out, report.events(), false);
  }

  /**
   * A run's audited events as a table, seconds from the first; with {@code reasons}, each
   * deploy.done's reason under its row.
   */
  static void printTimeline(PrintStream out, Iterable<JsonNode> events, boolean reasons) {
    out.printf("    %-7s %-17s %-8s %-12s %s%n", "+s", "event", "env", "status", "source");
    OffsetDateTime start = null;
    for (JsonNode event : events) {
      OffsetDateTime at = OffsetDateTime.parse(event.path("eventTime").asText());
      start = start == null ? at : start;
      out.printf(
          "    %-7s %-17s %-8s %-12s %s%n",
          String.format("%.1f", Duration.between(start, at).toMillis() / 1000.0),
          event.path("topic").asText(),
          event.path("environment").asText(""),
          event.path("status").asText(""),
          event.path("source").asText(""));
      String reason = event.path("event").path("data").path("reason").asText("");
      if (reasons && Topics.DEPLOY_DONE.equals(event.path("topic").asText()) && !reason.isEmpty()) {
        out.printf("            reason: %s%n", reason);
      }
    }
    out.flush();
  }

  /** DORA's four keys for prod, and whether the audit chain verifies. */
  public boolean printDoraAndVerify() {
    String auditor = tokens.token("demo-auditor", "auditor");
    Answer dora =
        client.get(
            client.endpoints().audit()
                + "/api/audit/dora?application="
                + APPLICATION
                + "&environment=prod",
            auditor);
    if (dora.status() == 200) {
      printDora(dora.json());
    } else {
      say("DORA metrics unavailable: HTTP %d", dora.status());
    }
    // The whole log, from its first row, in the chunks the service verifies at a time.
    long checked = 0;
    String from = "1";
    JsonNode result = JSON.createObjectNode();
    while (!from.isEmpty()) {
      Answer verify =
          client.get(client.endpoints().audit() + "/api/audit/verify?from=" + from, auditor);
      result = verify.json();
      if (verify.status() != 200 || !"OK".equals(result.path("status").asText())) {
        say("audit chain: does NOT verify: %s", verify.body());
        return false;
      }
      checked += result.path("checked").asLong();
      from = result.path("nextFrom").isNumber() ? result.path("nextFrom").asText() : "";
    }
    say(
        "audit chain: verified, %d rows up to seq %d, root hash %s, signed checkpoints %s",
        checked,
        result.path("toSeq").asLong(),
        shortId(result.path("rootHash").asText()),
        result.path("checkpoints"));
    return true;
  }

  private void printDora(JsonNode dora) {
    JsonNode frequency = dora.path("deploymentFrequency");
    JsonNode lead = dora.path("leadTimeForChanges");
    JsonNode failures = dora.path("changeFailureRate");
    JsonNode restore = dora.path("timeToRestore");
    say("DORA, prod, as the audit store computes it:");
    say(
        "  deployment frequency   %d deployments (%.2f a day)",
        frequency.path("deployments").asInt(), frequency.path("perDay").asDouble());
    say(
        "  lead time for changes  median %s, p90 %s over %d changes",
        seconds(lead.path("medianSeconds")),
        seconds(lead.path("p90Seconds")),
        lead.path("changes").asInt());
    say(
        "  change failure rate    %d of %d deployments failed%s",
        failures.path("failed").asInt(),
        failures.path("deployments").asInt(),
        failures.path("rate").isNumber()
            ? String.format(" (%.0f%%)", failures.path("rate").asDouble() * 100)
            : "");
    say(
        "  time to restore        %d restored, %d open, median %s",
        restore.path("restored").asInt(),
        restore.path("open").asInt(),
        seconds(restore.path("medianSeconds")));
  }

  private static String seconds(JsonNode value) {
    return value.isNumber() ? String.format("%.1f s", value.asDouble()) : "n/a";
  }

  private JsonNode awaitPendingApproval(Run run, String environment) {
    Instant deadline = Instant.now().plus(settings.stageTimeout());
    String viewer = tokens.token("demo-viewer", "viewer");
    while (Instant.now().isBefore(deadline)) {
      JsonNode approvals =
          client
              .get(
                  client.endpoints().deploy()
                      + "/api/approvals?status=PENDING&application="
                      + APPLICATION,
                  viewer)
              .expect(200)
              .json();
      for (JsonNode approval : approvals.path("items")) {
        if (run.runId().equals(approval.path("runId").asText())
            && environment.equals(approval.path("environment").asText())) {
          return approval;
        }
      }
      sleep(Duration.ofMillis(500));
    }
    throw new DemoFailure("approval", "no approval for " + environment + " was asked for");
  }

  /**
   * Polls the run's audit timeline, printing each new event as a stage line (and, during a canary,
   * each step of the rollout), until {@code done} holds or the stage timeout passed.
   */
  private void follow(Timeline timeline, Predicate<Timeline> done, String waitingFor) {
    Instant deadline = Instant.now().plus(settings.stageTimeout());
    String viewer = tokens.token("demo-viewer", "viewer", "auditor");
    while (true) {
      Answer answer =
          client.get(
              client.endpoints().audit() + "/api/audit/runs/" + timeline.run().runId(), viewer);
      if (answer.status() == 200) {
        for (JsonNode event : answer.json().path("events")) {
          if (timeline.add(event)) {
            printStage(timeline, event);
          }
        }
      } else if (answer.status() != 404) {
        answer.expect(200);
      }
      timeline.activeRollout().ifPresent(id -> printRolloutSteps(timeline, id));
      if (done.test(timeline)) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new DemoFailure(
            waitingFor,
            "nothing after "
                + timeline.lastTopic()
                + " within "
                + settings.stageTimeout().toSeconds()
                + " s");
      }
      sleep(Duration.ofMillis(400));
    }
  }

  private void printStage(Timeline timeline, JsonNode event) {
    JsonNode data = event.path("event").path("data");
    String since = timeline.since(event);
    switch (event.path("topic").asText()) {
      case "commit.received" ->
          say(
              "%s push of %s by %s received",
              since, data.path("ref").asText(), data.path("actor").asText());
      case "build.done" -> printBuild(since, data);
      case "scan.done" -> printScan(since, data);
      case "deploy.requested" ->
          say(
              "%s deploy to %s requested (%s by %s%s)",
              since,
              data.path("environment").asText(),
              data.path("reason").asText(),
              data.path("requestedBy").asText(),
              data.path("approvers").isEmpty()
                  ? ""
                  : ", approved by " + join(data.path("approvers")));
      case "approval.decided" ->
          say(
              "%s %s approval %s by %s%s",
              since,
              data.path("environment").asText(),
              data.path("decision").asText(),
              data.path("actor").asText(),
              data.path("reason").isMissingNode() || data.path("reason").isNull()
                  ? ""
                  : ": " + data.path("reason").asText());
      case "deploy.done" -> {
        // The rollout's last steps were logged after the demo's previous look.
        String rollout = event.path("causationId").asText("");
        printRolloutSteps(timeline, rollout);
        // The rollout's own log already gave the reason of a failure; say it only without one.
        boolean explained = timeline.rolloutLinesShown(rollout) > 0;
        say(
            "%s %s %s: revision %d, rollout in %.1f s%s",
            since,
            data.path("environment").asText(),
            data.path("status").asText(),
            data.path("revision").asLong(),
            data.path("durationMs").asLong() / 1000.0,
            "SUCCEEDED".equals(data.path("status").asText()) || explained
                ? ""
                : System.lineSeparator() + "           " + data.path("reason").asText());
        // What the release no longer holds was pruned: show it as the rollout said it.
        String reason = data.path("reason").asText("");
        int pruned = reason.indexOf("pruned ");
        if (pruned >= 0) {
          say("           %s", reason.substring(pruned));
        }
      }
      default ->
          say("%s %s %s", since, event.path("topic").asText(), event.path("status").asText(""));
    }
  }

  private void printBuild(String since, JsonNode data) {
    JsonNode tests = data.path("tests");
    say(
        "%s build %s in %.1f s: tests %d passed, %d failed",
        since,
        data.path("status").asText(),
        data.path("durationMs").asLong() / 1000.0,
        tests.path("passed").asInt(),
        tests.path("failed").asInt());
    if (data.path("image").isObject()) {
      say("           image %s", data.path("image").path("reference").asText());
      say("           digest %s", data.path("image").path("digest").asText());
    }
    String buildId = data.path("buildId").asText("");
    if (!buildId.isEmpty()) {
      Answer log =
          client.get(
              client.endpoints().build() + "/api/builds/" + buildId + "/log",
              tokens.token("demo-viewer", "viewer"));
      if (log.status() == 200) {
        String[] lines = log.body().split("\n");
        for (int i = Math.max(0, lines.length - 4); i < lines.length; i++) {
          say("           | %s", lines[i]);
        }
      }
    }
  }

  private void printScan(String since, JsonNode data) {
    JsonNode counts = data.path("counts");
    say(
        "%s scan %s: critical %d, high %d, medium %d, low %d (database %s)",
        since,
        data.path("verdict").asText(),
        counts.path("CRITICAL").asInt(),
        counts.path("HIGH").asInt(),
        counts.path("MEDIUM").asInt(),
        counts.path("LOW").asInt(),
        data.path("dbVersion").asText());
    // Every finding, blocking or not: the image's Debian packages have one below the policy.
    for (JsonNode finding : data.path("findings")) {
      String aliases = join(finding.path("aliases"));
      say(
          "           %s%s %s in %s, fixed in %s%s",
          finding.path("advisoryId").asText(),
          aliases.isEmpty() ? "" : " (" + aliases + ")",
          finding.path("severity").asText(),
          finding.path("packageUrl").asText(),
          finding.path("fixedVersion").asText("no release"),
          finding.path("blocking").asBoolean() ? "" : ": not blocking, " + why(finding));
    }
  }

  /** Why a finding does not block: its note (an ignore), else the policy's threshold. */
  private static String why(JsonNode finding) {
    String note = finding.path("note").asText("");
    return note.isEmpty() ? "below the policy's " + FAIL_ON : note;
  }

  private void printRolloutSteps(Timeline timeline, String rolloutId) {
    Answer detail =
        client.get(
            client.endpoints().deploy() + "/api/rollouts/" + rolloutId,
            tokens.token("demo-viewer", "viewer"));
    if (detail.status() != 200) {
      return;
    }
    JsonNode log = detail.json().path("log");
    for (int i = timeline.rolloutLinesShown(rolloutId); i < log.size(); i++) {
      JsonNode entry = log.get(i);
      say("             %s", entry.path("message").asText());
    }
    timeline.rolloutLinesShown(rolloutId, log.size());
  }

  private void requireStatus(Timeline timeline, String topic, String environment, String status) {
    JsonNode event =
        (environment == null ? timeline.last(topic) : timeline.deployDone(environment))
            .orElseThrow(() -> new DemoFailure(topic, "no " + topic + " in the run"));
    String actual = event.path("status").asText();
    if (!status.equals(actual)) {
      JsonNode data = event.path("event").path("data");
      String why =
          data.path("failure").isObject()
              ? data.path("failure").path("reason").asText()
              : data.path("reason").asText("");
      throw new DemoFailure(
          topic + (environment == null ? "" : " " + environment),
          "expected " + status + ", was " + actual + (why.isEmpty() ? "" : ": " + why));
    }
  }

  private ObjectNode application() {
    ObjectNode app = JSON.createObjectNode();
    app.put("name", APPLICATION);
    app.put("repositoryUrl", "https://github.com/slipway-demo/" + APPLICATION);
    app.put("provider", "github");
    app.put("webhookSecret", webhookSecret);
    app.putArray("branches").add("main");
    app.putArray("tags").add("v*");
    ArrayNode environments = app.putArray("environments");
    environment(environments, "dev", "auto", 0, "rolling", 2);
    environment(environments, "staging", "auto", 0, "rolling", 2);
    ObjectNode prod = environment(environments, "prod", "manual", 1, "canary", 4);
    prod.putArray("canarySteps").add(25).add(50).add(100);
    ObjectNode analysis = ((ObjectNode) prod.get("deployment")).putObject("analysis");
    analysis.put("intervalSeconds", settings.canaryStepSeconds());
    analysis.put("maxRestarts", 0);
    ObjectNode policy = app.putObject("scanPolicy");
    policy.put("failOn", FAIL_ON);
    policy.put("ignoreUnfixed", false);
    policy.putArray("deniedLicenses").add("AGPL-3.0-only");
    ObjectNode source = app.putObject("source");
    source.put("cloneUrl", repository.cloneUrl());
    return app;
  }

  private ObjectNode environment(
      ArrayNode environments,
      String name,
      String promotion,
      int approvals,
      String strategy,
      int replicas) {
    ObjectNode environment = environments.addObject();
    environment.put("name", name);
    environment.put("cluster", "local");
    environment.put("namespace", "shop-" + name);
    environment.put("promotion", promotion);
    if (approvals > 0) {
      environment.put("requiredApprovals", approvals);
    }
    environment.put("strategy", strategy);
    ObjectNode deployment = environment.putObject("deployment");
    deployment.put("replicas", replicas);
    deployment.put("port", 8080);
    deployment.put("healthPath", "/healthz");
    // dev and staging give up on a rollout that is not ready sooner, so a bad commit is rolled
    // back in seconds; prod's canary steps have their own analysis.
    deployment.put("timeoutSeconds", name.equals("prod") ? 30 : 15);
    return environment;
  }

  private String hmac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(webhookSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private void say(String format, Object... args) {
    out.println("[demo] " + String.format(format, args));
    out.flush();
  }

  private static String detail(Answer answer) {
    return answer.json().path("detail").asText(answer.body());
  }

  private static String join(JsonNode values) {
    List<String> texts = new ArrayList<>();
    values.forEach(v -> texts.add(v.asText()));
    return String.join(", ", texts);
  }

  static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure("demo", "interrupted");
    }
  }

  /**
   * A pushed commit and its run.
   *
   * @param runId the run trigger-service started
   * @param commitSha the commit
   * @param pushedAt when the webhook was sent
   */
  public record Run(String runId, String commitSha, Instant pushedAt) {}

  /**
   * A run as the audit store told it.
   *
   * @param runId the run
   * @param commitSha its commit
   * @param events the audit rows of the run, in the order the store returned them
   */
  public record RunReport(String runId, String commitSha, List<JsonNode> events) {

    /** The events of {@code topic}. */
    public List<JsonNode> of(String topic) {
      return events.stream().filter(e -> topic.equals(e.path("topic").asText())).toList();
    }
  }

  /** A stage that did not behave as the demo says it should. */
  public static final class DemoFailure extends RuntimeException {
    private final String stage;

    public DemoFailure(String stage, String message) {
      super(message);
      this.stage = stage;
    }

    /** Where the run stopped. */
    public String stage() {
      return stage;
    }
  }

  /** What the demo has seen of one run so far. */
  private static final class Timeline {
    private final Run run;
    private final Map<String, JsonNode> byId = new LinkedHashMap<>();
    private final Map<String, Integer> rolloutLines = new LinkedHashMap<>();

    Timeline(Run run) {
      this.run = run;
    }

    Run run() {
      return run;
    }

    boolean add(JsonNode event) {
      String key = event.path("seq").asText(event.path("eventId").asText());
      return byId.putIfAbsent(key, event) == null;
    }

    Optional<JsonNode> last(String topic) {
      JsonNode found = null;
      for (JsonNode event : byId.values()) {
        if (topic.equals(event.path("topic").asText())) {
          found = event;
        }
      }
      return Optional.ofNullable(found);
    }

    Optional<JsonNode> deployDone(String environment) {
      return byId.values().stream()
          .filter(e -> "deploy.done".equals(e.path("topic").asText()))
          .filter(e -> environment.equals(e.path("environment").asText()))
          .reduce((first, second) -> second);
    }

    /** The rollout asked for last, while it has no outcome yet. */
    Optional<String> activeRollout() {
      return last("deploy.requested")
          .filter(
              request ->
                  deployDone(request.path("environment").asText())
                      .map(done -> done.path("seq").asLong() < request.path("seq").asLong())
                      .orElse(true))
          .map(request -> request.path("eventId").asText());
    }

    /** Whether the rollout into {@code environment} has logged a step. */
    boolean rolloutStarted(String environment) {
      return activeRollout()
          .filter(
              id ->
                  last("deploy.requested")
                      .map(r -> environment.equals(r.path("environment").asText()))
                      .orElse(false))
          .map(id -> rolloutLinesShown(id) > 0)
          .orElse(false);
    }

    int rolloutLinesShown(String rolloutId) {
      return rolloutLines.getOrDefault(rolloutId, 0);
    }

    void rolloutLinesShown(String rolloutId, int lines) {
      rolloutLines.put(rolloutId, lines);
    }

    String lastTopic() {
      return byId.isEmpty()
          ? "the push"
          : byId.values().stream().reduce((a, b) -> b).orElseThrow().path("topic").asText();
    }

    String since(JsonNode event) {
      OffsetDateTime at = OffsetDateTime.parse(event.path("eventTime").asText());
      double seconds =
          Duration.between(run.pushedAt(), at.toInstant().atOffset(ZoneOffset.UTC)).toMillis()
              / 1000.0;
      return String.format("%6.1fs", Math.max(0, seconds));
    }

    RunReport report() {
      return new RunReport(run.runId(), run.commitSha(), List.copyOf(byId.values()));
    }
  }
}
