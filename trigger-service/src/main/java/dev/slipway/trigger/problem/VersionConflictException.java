package dev.slipway.trigger.problem;

import dev.slipway.problem.ConflictException;

/** The version the caller read (If-Match) is no longer the stored one: 409. */
public class VersionConflictException extends ConflictException {

  public VersionConflictException(String detail) {
    super(detail, "If-Match");
  }

  @Override
  public String kind() {
    return "version-conflict";
  }
}
