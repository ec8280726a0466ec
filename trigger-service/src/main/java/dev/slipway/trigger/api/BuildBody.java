package dev.slipway.trigger.api;

import java.util.List;

/**
 * How build-service treats the application's pushes: which refs are trusted, and which refs may
 * read which platform secret. Left out: {@code main} is the default branch, nothing else is
 * protected, no secret is granted.
 *
 * @param defaultBranch the branch every build may restore the cache of; {@code main}
 * @param protectedRefs globs of further trusted refs (their builds share the default branch's
 *     cache), at most 50
 * @param secrets platform secrets the builds may read, each bound to refs, at most 32
 */
public record BuildBody(
    String defaultBranch, List<String> protectedRefs, List<SecretGrantBody> secrets) {

  /**
   * One secret granted to the application's builds.
   *
   * @param secret the secret's name in build-service (as {@code .slipway.yaml}'s {@code secrets}
   *     names it), never its value
   * @param refs globs of the refs whose builds may read it ({@code main}, {@code v*}, {@code
   *     refs/tags/**}), at most 20
   * @param environments environments of the chain the secret is bound to (for deployments there); a
   *     build reads it only when {@code refs} names its ref
   */
  public record SecretGrantBody(String secret, List<String> refs, List<String> environments) {}
}
