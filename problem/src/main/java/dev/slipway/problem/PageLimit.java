package dev.slipway.problem;

/** The {@code limit} query parameter of a list endpoint: a whole number from 1 to a maximum. */
public final class PageLimit {

  /** The page size when {@code limit} is left out, unless the endpoint says otherwise. */
  public static final int DEFAULT = 100;

  /** The largest page, unless the endpoint says otherwise. */
  public static final int MAX = 1000;

  private PageLimit() {}

  /** {@code limit} as a page size from 1 to {@link #MAX}, {@link #DEFAULT} when left out. */
  public static int parse(String limit) {
    return parse(limit, DEFAULT, MAX);
  }

  /**
   * {@code limit} as a page size, {@code defaultSize} when it is left out; parsed here, not by
   * JAX-RS, whose answer to a non-number cannot name the parameter.
   *
   * @throws InvalidInputException naming {@code limit} when it is not a number from 1 to {@code
   *     max}
   */
  public static int parse(String limit, int defaultSize, int max) {
    if (limit == null) {
      return defaultSize;
    }
    try {
      int size = Integer.parseInt(limit.strip());
      if (size >= 1 && size <= max) {
        return size;
      }
    } catch (NumberFormatException e) {
      // answered below, like a number out of range
    }
    throw new InvalidInputException("limit must be a whole number from 1 to " + max + ".", "limit");
  }
}
