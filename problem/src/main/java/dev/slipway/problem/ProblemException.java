package dev.slipway.problem;

import java.util.Map;

/**
 * A failure that reaches the caller as an RFC 9457 problem: each subclass is one kind of answer
 * (status and type; the title is the one every service gives that status, {@link Problems#title});
 * the message is the problem's {@code detail}. Thrown for an expected refusal, so it carries no
 * stack trace.
 */
public abstract class ProblemException extends RuntimeException {

  private final String field;

  protected ProblemException(String detail, String field) {
    super(detail, null, false, false);
    this.field = field;
  }

  /**
   * A refusal caused by {@code cause}, which is logged with a 5xx answer and never shown to the
   * caller.
   */
  protected ProblemException(String detail, String field, Throwable cause) {
    super(detail, cause, false, false);
    this.field = field;
  }

  /** The HTTP status of the answer. */
  public abstract int status();

  /** A short slug naming the kind of problem; trigger-service also tags its metrics with it. */
  public abstract String kind();

  /** The problem's human-readable summary: the one title of its status in every service. */
  public final String title() {
    return Problems.title(status());
  }

  /** The problem's {@code type} URI: {@link Problems#TYPE_BASE} and the {@link #kind()}. */
  public String type() {
    return Problems.TYPE_BASE + kind();
  }

  /**
   * What the caller is told went wrong: the message, unless a subclass keeps its message (with
   * internals, for the log) apart from what the caller may read.
   */
  public String detail() {
    return getMessage();
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
