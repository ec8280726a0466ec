package dev.slipway.audit.rest;

/** A request parameter that cannot be served; answered with 400 naming the parameter. */
public class BadParameterException extends RuntimeException {

  private final String field;

  public BadParameterException(String field, String detail) {
    super(detail);
    this.field = field;
  }

  /** The name of the input at fault, the problem's {@code field} member. */
  public String field() {
    return field;
  }
}
