package dev.slipway.deploy.problem;

/**
 * A failure that reaches the caller as an RFC 9457 problem: each subclass is one kind of answer
 * (status, type, title); the message is the problem's {@code detail}.
 */
public abstract class ProblemException extends RuntimeException {

  private static final String TYPE_BASE = "https://slipway.dev/problems/";

  private final String field;

  protected ProblemException(String detail, String field) {
    super(detail, null, false, false);
    this.field = field;
  }

  /** The HTTP status of the answer. */
  public abstract int status();

  /** A short slug naming the kind of problem. */
  public abstract String kind();

  /** The problem's human-readable summary, the same for every occurrence. */
  public abstract String title();

  /** The problem's {@code type} URI. */
  public String type() {
    return TYPE_BASE + kind();
  }

  /** The input field at fault, or null. */
  public String field() {
    return field;
  }
}
