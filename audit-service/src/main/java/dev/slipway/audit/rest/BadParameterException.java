package dev.slipway.audit.rest;

import dev.slipway.problem.InvalidInputException;

/** A request parameter that cannot be served; answered with 400 naming the parameter. */
public class BadParameterException extends InvalidInputException {

  public BadParameterException(String field, String detail) {
    super(detail, field);
  }
}
