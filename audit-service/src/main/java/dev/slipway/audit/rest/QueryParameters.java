package dev.slipway.audit.rest;

import dev.slipway.audit.service.PageCursor;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/** Reads query parameters, turning any value that cannot be served into a 400 that names it. */
final class QueryParameters {

  private QueryParameters() {}

  /** Blank counts as absent. */
  static String text(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  static int integer(String name, String value, int fallback, int min, int max) {
    if (text(value) == null) {
      return fallback;
    }
    try {
      int number = Integer.parseInt(value.trim());
      if (number < min || number > max) {
        throw new BadParameterException(
            name, name + " must be between " + min + " and " + max + ", was " + number);
      }
      return number;
    } catch (NumberFormatException e) {
      throw new BadParameterException(name, name + " must be an integer, was '" + value + "'");
    }
  }

  static Long sequence(String name, String value) {
    if (text(value) == null) {
      return null;
    }
    try {
      long number = Long.parseLong(value.trim());
      if (number < 1) {
        throw new BadParameterException(name, name + " must be at least 1, was " + number);
      }
      return number;
    } catch (NumberFormatException e) {
      throw new BadParameterException(
          name, name + " must be a positive integer, was '" + value + "'");
    }
  }

  /**
   * A parameter an earlier version took under another name: answered with a 400 naming it, not
   * ignored (ignoring {@code cursor} would serve the first page again to an old client, forever).
   */
  static void renamed(String name, String value, String now) {
    if (value != null) {
      throw new BadParameterException(
          name, name + " was renamed to " + now + " (see CHANGELOG.md): pass " + now + "=" + value);
    }
  }

  static OffsetDateTime time(String name, String value) {
    if (text(value) == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.trim()).withOffsetSameInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new BadParameterException(
          name,
          name
              + " must be an RFC 3339 timestamp such as 2026-11-26T10:15:30Z, was '"
              + value
              + "'");
    }
  }

  static void ordered(String fromName, OffsetDateTime from, OffsetDateTime to) {
    if (from != null && to != null && !from.isBefore(to)) {
      throw new BadParameterException(fromName, fromName + " must be before to");
    }
  }

  static boolean newestFirst(String value) {
    if (text(value) == null || value.equals("desc")) {
      return true;
    }
    if (value.equals("asc")) {
      return false;
    }
    throw new BadParameterException("order", "order must be asc or desc, was '" + value + "'");
  }

  /** The opaque cursor of a page that starts after {@code seq}. */
  static String cursor(Long seq) {
    return PageCursor.of(seq);
  }

  static Long cursor(String value) {
    if (text(value) == null) {
      return null;
    }
    OptionalLong seq = PageCursor.parse(value);
    if (seq.isEmpty()) {
      throw new BadParameterException(
          "after", "after is not a cursor this API returned: '" + value + "'");
    }
    return seq.getAsLong();
  }
}
