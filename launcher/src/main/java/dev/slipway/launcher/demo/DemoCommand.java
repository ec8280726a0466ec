package dev.slipway.launcher.demo;

import dev.slipway.launcher.TokenCommand;
import dev.slipway.launcher.demo.DemoScenario.DemoFailure;
import dev.slipway.launcher.demo.DemoScenario.RunReport;
import dev.slipway.launcher.demo.PlatformClient.PlatformException;
import dev.slipway.launcher.platform.PlatformCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Set;

/**
 * {@code ./slipway demo}: the demo pipeline against a running platform (see {@link DemoScenario}).
 * Exits 0 only when all three commits behaved as described and the audit chain verifies; otherwise
 * says where a run stopped and why, and exits 1.
 */
public final class DemoCommand {

  /** Where the local console answers (./slipway up starts it). */
  static final String CONSOLE = "http://localhost:8080";

  private DemoCommand() {}

  /** The console's page of a run. */
  static void printConsoleLink(PrintStream out, RunReport run) {
    out.println(
        "[demo] console: "
            + CONSOLE
            + "/apps/"
            + DemoScenario.APPLICATION
            + "/runs/"
            + run.runId());
  }

  public static void main(String[] args) {
    Path state = Path.of(".slipway");
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--state")) {
        state = Path.of(args[i + 1]);
      }
    }
    System.exit(run(state, PlatformCommand.demoLocal(), System.out));
  }

  /**
   * Runs the demo against the platform of {@code state}; {@code local} is what it reaches besides
   * the services' APIs (Kafka, the registry, the cluster) for its closing note.
   */
  public static int run(Path state, DemoRefusals.Local local, PrintStream out) {
    Path keys = TokenCommand.keyDir();
    DemoScenario.Tokens tokens =
        (user, roles) -> {
          try {
            return TokenCommand.sign(keys, user, Set.of(roles), Duration.ofHours(1), System.err);
          } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
          }
        };
    DemoRepository repository =
        DemoRepository.create(
            state.resolve("git"), state.resolve("demo"), DemoScenario.APPLICATION);
    PlatformClient client = new PlatformClient(PlatformClient.Endpoints.local());
    DemoScenario.Settings settings = DemoScenario.Settings.defaults();
    DemoScenario demo = new DemoScenario(client, tokens, repository, out, settings);
    DemoRefusals refusals = new DemoRefusals(client, tokens, out, local, Duration.ofSeconds(60));
    try {
      demo.register();
      out.println();
      out.println("[demo] 0/3 prod runs nothing yet: the shop's first release goes there first");
      if (!demo.firstReleaseIfProdIsEmpty()) {
        out.println("[demo]     (prod already runs a release of the shop: skipped)");
      }
      out.println();
      out.println("[demo] 1/3 a clean commit, all the way to prod (canary)");
      out.println(
          "[demo]     its image is the site on Debian 12 packages from bookworm (base-files,"
              + " busybox-static, expat): the scan lists their findings too, and the shop's"
              + " policy fails on "
              + DemoScenario.FAIL_ON
              + " and above");
      RunReport clean = demo.cleanCommitToProduction();
      demo.printTimeline(clean);
      printConsoleLink(out, clean);
      out.println();
      out.println("[demo] 2/3 a commit that adds minimist 1.2.5 (critical advisory)");
      printConsoleLink(out, demo.vulnerableCommitStoppedByTheScan());
      out.println();
      out.println("[demo] 3/3 a commit whose pods never become ready");
      printConsoleLink(out, demo.neverReadyCommitRolledBack());
      out.println();
      out.println("[demo] what Slipway refuses:");
      out.println("[demo] a forged deploy into prod");
      refusals.forgedDeployRefused();
      out.println();
      out.println("[demo] an object Slipway does not own");
      refusals.foreignObjectRefused();
      out.println();
      if (!demo.printDoraAndVerify()) {
        out.println("[demo] FAILED: the audit chain does not verify");
        return 1;
      }
      out.println("[demo] all three runs behaved as described");
      out.println("[demo] in the console: " + CONSOLE + "/ (./slipway console-link signs you in)");
      return 0;
    } catch (DemoFailure e) {
      out.println("[demo] FAILED at " + e.stage() + ": " + e.getMessage());
      out.println("[demo] see ./slipway status and .slipway/logs/");
      return 1;
    } catch (PlatformException e) {
      out.println("[demo] FAILED: " + e.getMessage());
      return 1;
    }
  }
}
