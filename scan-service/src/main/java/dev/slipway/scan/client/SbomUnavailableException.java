package dev.slipway.scan.client;

/**
 * The SBOM of a build could not be read. {@code passing} failures (the registry unreachable or
 * answering 5xx) are worth retrying; the others (no such manifest, wrong media type, too large, a
 * digest that does not match) will not change.
 */
public class SbomUnavailableException extends Exception {

  private final boolean passing;

  public SbomUnavailableException(String message, boolean passing) {
    super(message);
    this.passing = passing;
  }

  /** Whether retrying later may succeed. */
  public boolean passing() {
    return passing;
  }
}
