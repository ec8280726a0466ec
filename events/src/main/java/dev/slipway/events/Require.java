package dev.slipway.events;

import java.util.Collection;

/** Checks the compact constructors of the contract records run, naming the field that fails. */
public final class Require {

  private Require() {}

  public static <T> T present(T value, String field) {
    if (value == null) {
      throw new EventFormatException(field, "is required");
    }
    return value;
  }

  public static String text(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new EventFormatException(field, "is required and must not be blank");
    }
    return value;
  }

  public static int notNegative(int value, String field) {
    if (value < 0) {
      throw new EventFormatException(field, "must not be negative");
    }
    return value;
  }

  public static <C extends Collection<?>> C noNulls(C values, String field) {
    present(values, field);
    if (values.stream().anyMatch(v -> v == null)) {
      throw new EventFormatException(field, "must not contain null");
    }
    return values;
  }
}
