package dev.slipway.audit.rest;

/** Nothing was audited for what the request names; answered with 404. */
public class NotAuditedException extends RuntimeException {

  public NotAuditedException(String detail) {
    super(detail);
  }
}
