package dev.slipway.build.service;

import dev.slipway.problem.ProblemException;

/** 429: a build's log, or this instance, has as many live followers as allowed. */
public final class TooManyFollowersException extends ProblemException {

  public TooManyFollowersException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 429;
  }

  @Override
  public String kind() {
    return "too-many-followers";
  }

  @Override
  public String title() {
    return "Too Many Requests";
  }

  @Override
  public java.util.Map<String, String> headers() {
    return java.util.Map.of("Retry-After", "5");
  }
}
