package dev.slipway.trigger.service;

import dev.slipway.problem.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The checks every registry field goes through; each failure is a 400 naming its field path. */
final class InputChecks {

  // Kubernetes' DNS-1123 label (namespaces, application names) and subdomain (most object names).
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$");
  private static final int MAX_SUBDOMAIN = 253;

  private InputChecks() {}

  static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException("Field '" + field + "' is required.", field);
    }
    return value;
  }

  static String dnsLabel(String value, String field) {
    required(value, field);
    if (!DNS_LABEL.matcher(value).matches()) {
      throw new InvalidInputException(
          "Field '"
              + field
              + "' must be a DNS-1123 label: lower-case letters, digits and '-', at most 63,"
              + " starting and ending with a letter or digit.",
          field);
    }
    return value;
  }

  static String dnsSubdomain(String value, String field) {
    required(value, field);
    if (value.length() > MAX_SUBDOMAIN || !DNS_SUBDOMAIN.matcher(value).matches()) {
      throw new InvalidInputException(
          "Field '"
              + field
              + "' must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', at most"
              + " 253, each part starting and ending with a letter or digit.",
          field);
    }
    return value;
  }

  static int between(Integer value, int defaultValue, int min, int max, String field) {
    int given = value == null ? defaultValue : value;
    if (given < min || given > max) {
      throw new InvalidInputException(
          "Field '" + field + "' must be between " + min + " and " + max + ".", field);
    }
    return given;
  }

  static <T> List<T> atMost(List<T> values, int max, String field) {
    if (values != null && values.size() > max) {
      throw new InvalidInputException(
          "Field '"
              + field
              + "' has "
              + values.size()
              + " entries; at most "
              + max
              + " are allowed.",
          field);
    }
    return values;
  }

  static String atMostChars(String value, int max, String field) {
    if (value != null && value.length() > max) {
      throw new InvalidInputException(
          "Field '" + field + "' has " + value.length() + " characters; at most " + max + ".",
          field);
    }
    return value;
  }

  static String lower(String value) {
    return value.trim().toLowerCase(Locale.ROOT);
  }
}
