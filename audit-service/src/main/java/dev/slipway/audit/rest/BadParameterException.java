package dev.slipway.audit.rest;

/** A request parameter that cannot be served; answered with 400 naming the parameter. */
public class BadParameterException extends RuntimeException {

  private final String parameter;

  public BadParameterException(String parameter, String detail) {
    super(detail);
    this.parameter = parameter;
  }

  /** The name of the parameter at fault. */
  public String parameter() {
    return parameter;
  }
}
