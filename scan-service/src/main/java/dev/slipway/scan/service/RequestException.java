package dev.slipway.scan.service;

/** A request the service refuses because of what the caller sent or named. */
public class RequestException extends RuntimeException {

  private final Kind kind;
  private final String field;

  private RequestException(Kind kind, String field, String detail) {
    super(detail);
    this.kind = kind;
    this.field = field;
  }

  /** Input that breaks the contract, naming the field. */
  public static RequestException invalid(String field, String detail) {
    return new RequestException(Kind.INVALID, field, detail);
  }

  /** Something named that does not exist. */
  public static RequestException unknown(String detail) {
    return new RequestException(Kind.UNKNOWN, null, detail);
  }

  /** Input larger than allowed. */
  public static RequestException tooLarge(String field, String detail) {
    return new RequestException(Kind.TOO_LARGE, field, detail);
  }

  /** What kind of refusal. */
  public Kind kind() {
    return kind;
  }

  /** The input at fault; null when none. */
  public String field() {
    return field;
  }

  /** Kinds of refusal. */
  public enum Kind {
    INVALID,
    UNKNOWN,
    TOO_LARGE
  }
}
