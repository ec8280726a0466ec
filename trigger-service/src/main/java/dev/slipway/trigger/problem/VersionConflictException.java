package dev.slipway.trigger.problem;

import dev.slipway.problem.ProblemException;

/** The version the caller read (If-Match) is no longer the stored one: 409. */
public class VersionConflictException extends ProblemException {

  public VersionConflictException(String detail) {
    super(detail, "If-Match");
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String kind() {
    return "version-conflict";
  }

  @Override
  public String title() {
    return "Version conflict";
  }
}
