package dev.slipway.audit.rest;

import dev.slipway.problem.NotFoundException;

/** Nothing was audited for what the request names; answered with 404. */
public class NotAuditedException extends NotFoundException {

  public NotAuditedException(String detail) {
    super(detail);
  }

  @Override
  public String kind() {
    return "not-audited";
  }
}
