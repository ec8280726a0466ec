package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.launcher.demo.DemoRepository;
import dev.slipway.launcher.demo.DemoScenario;
import dev.slipway.launcher.demo.DemoScenario.RunReport;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.testsupport.TestTokens;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The platform's end-to-end test, seen in a real browser: the demo's three commits through the
 * whole platform (five service processes, real Kafka, PostgreSQL, registry and the sandbox
 * cluster), with deploy-service killed and restarted in the middle of the production canary, while
 * the console is driven in Debian's Chromium (Selenium through chromedriver): sign in with a
 * one-time link, follow the clean commit's build log live, see the author refused and the approver
 * approve the production promotion, the scan stop the vulnerable commit, the third commit rolled
 * back, and the audit chain verify. The audit store, the platform's own record, must tell each
 * run's story ({@link PipelineStory}). Each page is saved as a screenshot in {@code
 * target/console-screenshots/} and kept as {@code docs/console/<page>.png} (the READMEs show them);
 * the server time of every page is measured at the end and printed against a raw service API call,
 * also into {@code target/console-page-times.txt} (figures, no assertion on time). The platform is
 * the test JVM's shared one ({@link PlatformUnderTest#shared}); this class runs first on it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path SHOTS = Path.of("target", "console-screenshots");

  /** Where each page's latest screenshot is kept in the repository (the READMEs show them). */
  private static final Path DOCS = Path.of("..", "docs", "console");

  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * Requests of each page before its 40 measured ones: deploy-service, restarted mid-canary, has
   * served only the demo's last two runs since, and its JIT is still compiling what pages call.
   */
  private static final int WARM_UPS = 20;

  private static final List<String> GRACE_ROLES = List.of("viewer", "approver", "auditor");

  private static PlatformUnderTest platform;
  private static ConsoleUnderTest console;
  private static WebDriver browser;
  private static DemoScenario demo;
  private static PlatformClient client;
  private static Path profile;
  private static final Map<String, String> PAGES = new LinkedHashMap<>();
  private static final List<String> NOTES = new ArrayList<>();
  private static RunReport clean;
  private static RunReport vulnerable;
  private static RunReport neverReady;
  private static boolean logFollowedWhileRunning;
  private static int linesBySse;
  private static int shot;

  @BeforeAll
  static void start() throws IOException {
    assertThat(Path.of("/usr/bin/chromium"))
        .as("Debian's chromium (./slipway test installs it)")
        .exists();
    assertThat(Path.of("/usr/bin/chromedriver")).as("Debian's chromium-driver").exists();
    Files.createDirectories(SHOTS);
    platform = PlatformUnderTest.shared();
    console = ConsoleUnderTest.start(platform.endpoints());
    client = new PlatformClient(platform.endpoints());
    browser = chromium();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    DemoRepository repository =
        DemoRepository.create(
            platform.gitRoot(), Path.of("target", "e2e", "console-work"), DemoScenario.APPLICATION);
    demo =
        new DemoScenario(
            client,
            TestTokens::token,
            repository,
            out,
            new DemoScenario.Settings(Duration.ofMinutes(3), 2));
    demo.register();
    assertThat(demo.firstReleaseIfProdIsEmpty()).as("a fresh platform's prod is empty").isTrue();
  }

  @AfterAll
  static void stop() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (console != null) {
      console.close();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
    NOTES.forEach(System.out::println);
  }

  @Test
  @Order(1)
  void aOneTimeLinkSignsInOnce() {
    String link = console.signInLink("grace", GRACE_ROLES);
    browser.get(link);
    waitFor(By.id("user"));
    assertThat(browser.findElement(By.id("user")).getText()).isEqualTo("grace");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Applications");
    assertThat(browser.getPageSource()).contains("demo-shop");
    pageShot("applications");
    PAGES.put("applications", "/");
    PAGES.put("application", "/apps/" + DemoScenario.APPLICATION);

    browser.manage().deleteAllCookies();
    browser.get(link);
    assertThat(waitFor(By.id("refusal")).getText()).contains("used already");
    pageShot("sign-in-link-used-twice");
    signIn("grace", GRACE_ROLES);
  }

  @Test
  @Order(2)
  void theCleanCommitsLogIsFollowedLiveAndTheApproverNotTheAuthorApprovesProd() {
    demo.onPush(ConsoleBrowserIT::followTheBuildLive);
    demo.prodApproval(ConsoleBrowserIT::approveInTheBrowser);
    clean =
        demo.cleanCommitToProduction(
            () -> {
              NOTES.add("[e2e] deploy-service killed (SIGKILL) in the middle of the prod canary");
              platform.kill("deploy-service");
              platform.restart("deploy-service");
            });
    demo.onPush(run -> {});

    assertThat(linesBySse).as("log lines that arrived by Server-Sent Events").isPositive();
    NOTES.add(
        "[console] build log: "
            + linesBySse
            + " lines arrived live by SSE; build still running when the page opened: "
            + logFollowedWhileRunning);

    browser.get(console.url() + runPath(clean));
    List<WebElement> stages = browser.findElements(By.cssSelector(".pipeline .stage"));
    assertThat(stages)
        .extracting(e -> e.findElement(By.className("stage-name")).getText())
        .containsExactly("build", "scan", "dev", "staging", "prod");
    assertThat(stages)
        .extracting(e -> e.findElement(By.className("status")).getText())
        .containsExactly("succeeded", "passed", "succeeded", "succeeded", "succeeded");
    assertThat(browser.findElements(By.cssSelector("#timeline-table tbody tr")))
        .hasSizeGreaterThanOrEqualTo(9);
    pageShot("run");
    PAGES.put("run", runPath(clean));

    stages.get(4).findElement(By.cssSelector(".stage-name a")).click();
    waitFor(By.id("rollout-status"));
    assertThat(browser.findElement(By.id("rollout-status")).getText()).isEqualTo("succeeded");
    String rollout = browser.getPageSource();
    assertThat(rollout).contains("canary step 1/3 (25%)").contains("canary step 3/3 (100%)");
    // Each step's pod counts, as the page reads them from deploy-service's rollout log.
    for (String step : List.of("canary step 1/3 (25%)", "canary step 3/3 (100%)")) {
      WebElement section =
          browser.findElement(By.cssSelector("section.step[aria-label='" + step + "']"));
      String pods = section.findElement(By.cssSelector("h3 .quiet")).getText();
      assertThat(pods).as(step).matches("canary [1-9]\\d* pods, stable \\d+ pods");
      assertThat(section.findElement(By.className("log-entries")).getText())
          .as(step)
          .contains(step + ": " + pods);
    }
    assertThat(rollout)
        .containsPattern("canary step 3/3 \\(100%\\): canary \\d+ pods, stable 0 pods");
    pageShot("rollout-canary");
    PAGES.put("rollout", URI.create(browser.getCurrentUrl()).getPath());
  }

  @Test
  @Order(3)
  void theScanStopsTheVulnerableCommitAndSaysWhereTheAdvisoryRuns() throws Exception {
    vulnerable = demo.vulnerableCommitStoppedByTheScan();
    browser.get(console.url() + runPath(vulnerable));
    List<WebElement> stages = browser.findElements(By.cssSelector(".pipeline .stage"));
    assertThat(stages.get(1).findElement(By.className("status")).getText()).isEqualTo("failed");
    assertThat(stages.get(2).findElement(By.className("status")).getText())
        .isEqualTo("not reached");
    stages.get(1).findElement(By.cssSelector(".stage-name a")).click();
    assertThat(waitFor(By.id("verdict")).getText()).isEqualTo("failed");
    String scan = browser.getPageSource();
    assertThat(scan).contains("GHSA-xvch-5gv4-984h").contains("CVE-2021-44906").contains("1.2.6");
    assertThat(browser.findElement(By.id("sev-CRITICAL")).getText()).contains("Critical");
    String scanPath = URI.create(browser.getCurrentUrl()).getPath();
    pageShot("scan");
    PAGES.put("scan", scanPath);

    HttpResponse<String> sarif = get(scanPath + "/sarif");
    assertThat(sarif.statusCode()).isEqualTo(200);
    assertThat(sarif.headers().firstValue("Content-Disposition").orElse("")).contains("attachment");
    assertThat(sarif.body())
        .contains("\"version\"")
        .contains("2.1.0")
        .contains("GHSA-xvch-5gv4-984h");

    browser.get(console.url() + "/exposure");
    WebElement query = waitFor(By.id("vulnerability"));
    query.sendKeys("CVE-2021-44906", Keys.ENTER);
    waitFor(By.id("exposure-table"));
    assertThat(browser.findElement(By.id("exposure-table")).getText())
        .contains("Not running anywhere");
    pageShot("exposure");
    PAGES.put("exposure", "/exposure?vulnerability=CVE-2021-44906");
  }

  @Test
  @Order(4)
  void theThirdCommitIsRolledBackAndThePageSaysWhy() {
    neverReady = demo.neverReadyCommitRolledBack();
    browser.get(console.url() + runPath(neverReady));
    List<WebElement> stages = browser.findElements(By.cssSelector(".pipeline .stage"));
    WebElement dev = stages.get(2);
    assertThat(dev.findElement(By.className("status")).getText()).isEqualTo("rolled back");
    dev.findElement(By.cssSelector(".stage-name a")).click();
    WebElement outcome = waitFor(By.id("outcome"));
    assertThat(outcome.getText()).startsWith("Rolled back:").contains("rolled back to");
    assertThat(browser.findElement(By.id("rollout-status")).getText()).isEqualTo("rolled back");
    pageShot("rollback");

    browser.get(console.url() + "/");
    assertThat(browser.getPageSource()).contains("degraded");
    pageShot("applications-after-rollback");
  }

  @Test
  @Order(5)
  void theAuditStoreTellsEachRunsStoryInCausalOrder() {
    new PipelineStory(client).assertTold(clean, vulnerable, neverReady);
    assertThat(demo.printDoraAndVerify()).as("the audit chain verifies").isTrue();
  }

  @Test
  @Order(6)
  void theAuditChainVerifiesAndDoraIsCharted() {
    browser.get(console.url() + "/audit");
    waitFor(By.id("verify")).click();
    WebElement verification = waitFor(By.id("verification"));
    assertThat(verification.getText()).startsWith("Verified:");
    assertThat(browser.findElements(By.cssSelector(".charts svg.chart"))).hasSize(4);
    assertThat(browser.findElements(By.cssSelector("#events tbody tr"))).hasSizeGreaterThan(10);
    pageShot("audit");
    PAGES.put("audit", "/audit");
    PAGES.put("audit search", "/audit?application=demo-shop&topic=deploy.done");
    PAGES.put("approvals", "/approvals");
    PAGES.put("build", URI.create(buildPageOf(clean.runId())).getPath());
  }

  @Test
  @Order(7)
  void pagesFitA360PixelScreenAndTheirServerTimeIsMeasured() {
    browser.manage().window().setSize(new Dimension(360, 780));
    for (Map.Entry<String, String> page : PAGES.entrySet()) {
      browser.get(console.url() + page.getValue());
      long width =
          ((Number)
                  ((JavascriptExecutor) browser)
                      .executeScript("return document.documentElement.scrollWidth;"))
              .longValue();
      assertThat(width).as("%s at 360 px wide", page.getKey()).isLessThanOrEqualTo(360);
    }
    browser.get(console.url() + runPath(clean));
    pageShot("run-360px");
    browser.manage().window().setSize(new Dimension(1280, 1400));

    // The floor no page goes below: one call of one service's API, straight, with a token.
    String token = TestTokens.token(DemoScenario.APPROVER, GRACE_ROLES.toArray(String[]::new));
    Map<String, List<Double>> raw = new LinkedHashMap<>();
    raw.put(
        "raw: trigger GET /api/apps",
        timed(() -> api(platform.endpoints().trigger() + "/api/apps", token), "raw apps"));
    raw.put(
        "raw: deploy GET approvals",
        timed(() -> api(platform.endpoints().deploy() + "/api/approvals", token), "raw approvals"));
    double floor = p95(raw.get("raw: trigger GET /api/apps"));
    List<String> table = new ArrayList<>();
    table.add(
        "page times over loopback (request to last byte), 40 requests each after "
            + WARM_UPS
            + " warm-ups"
            + " (ms; target: p95 under 100); x raw = p95 / p95 of trigger's GET /api/apps;"
            + " first = the page's first request in a fresh session (nothing kept for that user)");
    table.add(
        String.format(
            Locale.ROOT,
            "%-26s %7s %7s %7s %7s %7s",
            "page",
            "p50",
            "p95",
            "max",
            "x raw",
            "first"));
    String session = browser.manage().getCookieNamed("slipway_session").getValue();
    List<String> breakdown = new ArrayList<>();
    breakdown.add("where one more request of each page spent its time (its Server-Timing header):");
    for (Map.Entry<String, String> page : PAGES.entrySet()) {
      String fresh = freshSession();
      long start = System.nanoTime();
      assertThat(get(page.getValue(), fresh).statusCode()).isEqualTo(200);
      double first = (System.nanoTime() - start) / 1e6;
      table.add(
          line(page.getKey(), timed(() -> get(page.getValue(), session), page.getKey()), floor)
              + String.format(Locale.ROOT, " %7.1f", first));
      breakdown.add(
          page.getKey()
              + ": "
              + get(page.getValue(), session).headers().firstValue("Server-Timing").orElse("none"));
    }
    raw.forEach((what, times) -> table.add(line(what, times, floor)));
    table.addAll(breakdown);
    table.forEach(row -> NOTES.add("[console] " + row));
    try {
      Files.write(Path.of("target", "console-page-times.txt"), table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Double> timed(
      java.util.function.Supplier<HttpResponse<String>> call, String what) {
    for (int i = 0; i < WARM_UPS; i++) {
      call.get();
    }
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long start = System.nanoTime();
      HttpResponse<String> answer = call.get();
      times.add((System.nanoTime() - start) / 1e6);
      assertThat(answer.statusCode()).as(what).isEqualTo(200);
    }
    times.sort(Double::compare);
    return times;
  }

  private static String line(String what, List<Double> sorted, double floor) {
    int n = sorted.size();
    return String.format(
        Locale.ROOT,
        "%-26s %7.1f %7.1f %7.1f %7.1f",
        what,
        sorted.get(n / 2 - 1),
        p95(sorted),
        sorted.get(n - 1),
        p95(sorted) / floor);
  }

  /** A session of its own for grace, signed in over HTTP with a one-time link. */
  private static String freshSession() {
    try {
      HttpResponse<Void> signedIn =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(console.signInLink("grace", GRACE_ROLES))).build(),
              HttpResponse.BodyHandlers.discarding());
      return signedIn.headers().allValues("Set-Cookie").stream()
          .filter(c -> c.startsWith("slipway_session="))
          .map(c -> c.substring("slipway_session=".length(), c.indexOf(';')))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no session from a sign-in link"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double p95(List<Double> sorted) {
    return sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1);
  }

  // --- the demo's hooks ---

  /**
   * Opens the build of the run just pushed and waits until its log ended, lines arriving by SSE.
   */
  private static void followTheBuildLive(DemoScenario.Run run) {
    String page = buildPageOf(run.runId());
    browser.get(page);
    String status = waitFor(By.id("build-status")).getText();
    logFollowedWhileRunning = status.equals("queued") || status.equals("running");
    if (logFollowedWhileRunning) {
      new WebDriverWait(browser, WAIT)
          .until(d -> d.findElement(By.id("log")).getDomAttribute("data-ended") != null);
      String live = browser.findElement(By.id("log")).getDomAttribute("data-live");
      linesBySse = live == null ? 0 : Integer.parseInt(live);
      assertThat(browser.findElement(By.id("log")).getText())
          .contains("site tests: 2 passed, 0 failed");
      assertThat(browser.findElement(By.id("build-status")).getText()).isEqualTo("succeeded");
    }
    pageShot("build-log-live");
  }

  /** The author is refused with deploy-service's reason; the approver approves by keyboard. */
  private static void approveInTheBrowser(DemoScenario.Run run, String approvalId) {
    signIn(DemoScenario.AUTHOR_LOGIN, List.of("viewer", "approver"));
    browser.get(console.url() + "/approvals");
    waitFor(By.id("approve-" + approvalId)).click();
    WebElement refused = waitFor(By.id("notice"));
    assertThat(refused.getDomAttribute("class")).contains("notice-refused");
    assertThat(refused.getText()).contains(DemoScenario.AUTHOR_LOGIN).contains("approve");
    NOTES.add("[console] the author's approval was refused: " + refused.getText());
    pageShot("approval-refused");

    signIn(DemoScenario.APPROVER, GRACE_ROLES);
    browser.get(console.url() + "/approvals");
    pageShot("approvals");
    WebElement approve = waitFor(By.id("approve-" + approvalId));
    approve.sendKeys(Keys.ENTER);
    WebElement done = waitFor(By.id("notice"));
    assertThat(done.getText()).isEqualTo("You approved the promotion.");
    pageShot("approved");
  }

  // --- helpers ---

  private static String buildPageOf(String runId) {
    Instant deadline = Instant.now().plus(WAIT);
    String viewer = TestTokens.token("console-test", "viewer");
    while (Instant.now().isBefore(deadline)) {
      JsonNode builds =
          client
              .get(
                  platform.endpoints().build()
                      + "/api/builds?application="
                      + DemoScenario.APPLICATION,
                  viewer)
              .expect(200)
              .json();
      JsonNode items =
          builds.isArray()
              ? builds
              : builds.has("items") ? builds.get("items") : builds.path("builds");
      for (JsonNode build : items) {
        if (runId.equals(build.path("runId").asText())) {
          return console.url() + "/builds/" + build.path("id").asText();
        }
      }
      sleep(100);
    }
    throw new AssertionError("no build of run " + runId + " within " + WAIT);
  }

  private static void signIn(String user, List<String> roles) {
    browser.manage().deleteAllCookies();
    browser.get(console.url() + "/login");
    browser.get(console.signInLink(user, roles));
    assertThat(waitFor(By.id("user")).getText()).isEqualTo(user);
  }

  private static String runPath(RunReport run) {
    return "/apps/" + DemoScenario.APPLICATION + "/runs/" + run.runId();
  }

  private static HttpResponse<String> get(String path) {
    return get(path, browser.manage().getCookieNamed("slipway_session").getValue());
  }

  private static HttpResponse<String> get(String path, String session) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(console.url() + path))
              .header("Cookie", "slipway_session=" + session)
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> api(String url, String token) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url))
              .header("Authorization", "Bearer " + token)
              .header("Accept", "application/json")
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static WebElement waitFor(By locator) {
    try {
      return new WebDriverWait(browser, WAIT)
          .until(ExpectedConditions.visibilityOfElementLocated(locator));
    } catch (org.openqa.selenium.TimeoutException e) {
      // What the browser showed instead, for whoever reads the failure.
      screenshot("missing-" + locator.toString().replaceAll("[^A-Za-z0-9-]", "_"));
      try {
        Files.writeString(
            SHOTS.resolve(String.format(Locale.ROOT, "%02d-page.html", shot)),
            browser.getCurrentUrl() + "\n" + browser.getPageSource());
      } catch (IOException io) {
        e.addSuppressed(io);
      }
      throw e;
    }
  }

  /** Saves what the browser shows as {@code target/console-screenshots/NN-name.png}. */
  private static Path screenshot(String name) {
    File file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path saved = SHOTS.resolve(String.format(Locale.ROOT, "%02d-%s.png", ++shot, name));
    try {
      Files.copy(file.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return saved;
  }

  /** A page's screenshot, also kept as {@code docs/console/name.png} for the READMEs. */
  private static void pageShot(String name) {
    Path saved = screenshot(name);
    try {
      Files.createDirectories(DOCS);
      Files.copy(saved, DOCS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static WebDriver chromium() throws IOException {
    profile = Files.createTempDirectory("console-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile,
        "--window-size=1280,1400");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
