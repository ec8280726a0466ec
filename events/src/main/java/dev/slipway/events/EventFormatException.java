package dev.slipway.events;

/** An event that does not match its contract; the message names the offending field. */
public class EventFormatException extends IllegalArgumentException {

  private final String field;

  public EventFormatException(String field, String problem) {
    super("field '" + field + "' " + problem);
    this.field = field;
  }

  public EventFormatException(String field, String problem, Throwable cause) {
    super("field '" + field + "' " + problem, cause);
    this.field = field;
  }

  /** The JSON path of the field that is missing or wrong, e.g. {@code pipeline.environments}. */
  public String field() {
    return field;
  }
}
