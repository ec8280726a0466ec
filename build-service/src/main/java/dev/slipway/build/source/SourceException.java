package dev.slipway.build.source;

/** The source of a build could not be had: a refused URL, a failed clone, a missing commit. */
public class SourceException extends RuntimeException {

  public SourceException(String message) {
    super(message);
  }

  public SourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
