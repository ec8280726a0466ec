package dev.slipway.scan.osv;

/** An OSV document that breaks the schema, naming the place by JSON pointer. */
public class OsvFormatException extends RuntimeException {

  private final String pointer;

  public OsvFormatException(String pointer, String message) {
    super(message);
    this.pointer = pointer;
  }

  /** JSON pointer of the value at fault ({@code ""} for the whole document). */
  public String pointer() {
    return pointer;
  }
}
