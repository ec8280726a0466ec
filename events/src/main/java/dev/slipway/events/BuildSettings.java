package dev.slipway.events;

import java.util.List;
import java.util.Optional;

/**
 * How build-service treats the runs of an application, owned by the registry (never by the
 * repository): which refs are trusted, and which refs may read which of the platform's secrets.
 *
 * @param defaultBranch the branch whose cache every build may restore; {@code main} when absent
 * @param protectedRefs globs of further trusted refs (e.g. {@code release/*}, {@code v*}): a
 *     protected ref's build writes a cache other builds of the same ref restore; the default branch
 *     is always protected
 * @param secrets the platform secrets the application's builds may read, each bound to refs
 */
public record BuildSettings(
    String defaultBranch, List<String> protectedRefs, List<SecretGrant> secrets) {

  /** The default branch {@code main}, nothing else protected, no secret granted. */
  public static final BuildSettings DEFAULT = new BuildSettings("main", List.of(), List.of());

  public BuildSettings {
    defaultBranch = defaultBranch == null || defaultBranch.isBlank() ? "main" : defaultBranch;
    protectedRefs =
        protectedRefs == null
            ? List.of()
            : List.copyOf(Require.noNulls(protectedRefs, "protectedRefs"));
    secrets = secrets == null ? List.of() : List.copyOf(Require.noNulls(secrets, "secrets"));
  }

  /** The default branch as a full ref, {@code refs/heads/main}. */
  public String defaultRef() {
    return "refs/heads/" + defaultBranch;
  }

  /** Whether {@code ref} (full, e.g. {@code refs/heads/main}) is trusted. */
  public boolean isProtected(String ref) {
    return defaultRef().equals(ref)
        || protectedRefs.stream().anyMatch(g -> RefGlob.matches(g, ref));
  }

  /** The grant of secret {@code name}, if the registry grants it at all. */
  public Optional<SecretGrant> grant(String name) {
    return secrets.stream().filter(g -> g.secret().equals(name)).findFirst();
  }

  /**
   * One platform secret granted to an application's builds.
   *
   * @param secret the secret's name in build-service's configuration
   * @param refs globs of the refs whose builds may read it (e.g. {@code main}, {@code v*}, {@code
   *     refs/tags/**}); a glob without {@code refs/} matches a branch or tag name
   * @param environments environments the secret is bound to: such a secret belongs to deployments
   *     there, and a build reads it only when {@code refs} also names its ref
   */
  public record SecretGrant(String secret, List<String> refs, List<String> environments) {
    public SecretGrant {
      Require.text(secret, "secret");
      refs = refs == null ? List.of() : List.copyOf(Require.noNulls(refs, "refs"));
      environments =
          environments == null
              ? List.of()
              : List.copyOf(Require.noNulls(environments, "environments"));
    }

    /** Whether a build of {@code ref} (full) may read the secret. */
    public boolean allows(String ref) {
      return refs.stream().anyMatch(g -> RefGlob.matches(g, ref));
    }
  }
}
