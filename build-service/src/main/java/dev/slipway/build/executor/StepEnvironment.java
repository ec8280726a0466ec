package dev.slipway.build.executor;

import dev.slipway.build.repository.Claim;
import dev.slipway.events.CommitReceived;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a step finds things inside its container, the same on every executor, and the variables the
 * platform gives every step. Webhook text (the ref) reaches a step only as a variable: a shell
 * never evaluates its content.
 */
public final class StepEnvironment {

  /** Where the checked-out commit is mounted and steps start. */
  public static final String WORKSPACE = "/workspace";

  /** The steps' home directory, kept from one step to the next. */
  public static final String HOME = "/home/slipway";

  /** Scratch space, fresh for each step. */
  public static final String TMP = "/tmp";

  /** PATH of every step, whatever the toolchain image sets. */
  public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private StepEnvironment() {}

  /** The platform's variables for a step of the build of {@code claim}. */
  public static Map<String, String> platform(Claim claim) {
    CommitReceived commit = claim.commit().data();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PATH);
    env.put("HOME", HOME);
    env.put("TMPDIR", TMP);
    env.put("LANG", "C.UTF-8");
    env.put("CI", "true");
    env.put("SLIPWAY", "true");
    env.put("SLIPWAY_BUILD_ID", claim.buildId());
    env.put("SLIPWAY_RUN_ID", claim.commit().runId());
    env.put("SLIPWAY_APPLICATION", claim.commit().subject());
    env.put("SLIPWAY_COMMIT_SHA", commit.commitSha());
    env.put("SLIPWAY_REF", commit.ref());
    return env;
  }
}
