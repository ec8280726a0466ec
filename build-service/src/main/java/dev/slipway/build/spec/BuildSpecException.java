package dev.slipway.build.spec;

/** A {@code .slipway.yaml} that is missing or invalid; the message names the field and its line. */
public class BuildSpecException extends RuntimeException {

  private final String field;
  private final int line;

  public BuildSpecException(String field, int line, String message) {
    super(message);
    this.field = field;
    this.line = line;
  }

  /** The field at fault, e.g. {@code steps[1].timeout}; empty for the file as a whole. */
  public String field() {
    return field;
  }

  /** The 1-based line of the field, 0 when there is none. */
  public int line() {
    return line;
  }
}
