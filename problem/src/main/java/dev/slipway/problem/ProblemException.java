package dev.slipway.problem;

import java.util.Map;

/**
 * A failure that reaches the caller as an RFC 9457 problem: each subclass is one kind of answer
 * (status, type, title); the message is the problem's {@code detail}. Thrown for an expected
 * refusal, so it carries no stack trace.
 */
public abstract class ProblemException extends RuntimeException {

  private final String field;

  protected ProblemException(String detail, String field) {
    super(detail, null, false, false);
    this.field = field;
  }

  /** The HTTP status of the answer. */
  public abstract int status();

  /** A short slug naming the kind of problem; trigger-service also tags its metrics with it. */
  public abstract String kind();

  /** The problem's human-readable summary, the same for every occurrence. */
  public abstract String title();

  /** The problem's {@code type} URI: {@link Problems#TYPE_BASE} and the {@link #kind()}. */
  public String type() {
    return Problems.TYPE_BASE + kind();
  }

  /** The input field, header or JSON path at fault, or null. */
  public String field() {
    return field;
  }

  /** Extra response headers, e.g. Retry-After. */
  public Map<String, String> headers() {
    return Map.of();
  }
}
