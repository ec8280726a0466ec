package dev.slipway.deploy.rest;

import dev.slipway.problem.InvalidInputException;

/** The {@code limit} query parameter of the list endpoints: 1 to 1000, 100 when left out. */
final class PageLimit {

  private static final int DEFAULT = 100;
  private static final int MAX = 1000;

  private PageLimit() {}

  // Parsed here, not by JAX-RS, whose answer to a non-number cannot name the parameter.
  static int parse(String limit) {
    if (limit == null) {
      return DEFAULT;
    }
    try {
      int size = Integer.parseInt(limit.strip());
      if (size >= 1 && size <= MAX) {
        return size;
      }
    } catch (NumberFormatException e) {
      // answered below, like a number out of range
    }
    throw new InvalidInputException("limit must be a whole number from 1 to " + MAX + ".", "limit");
  }
}
