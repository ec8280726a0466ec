package dev.slipway.build.image;

/** An image or its SBOM could not be built or pushed; {@code stage} is image or push. */
public class ImageException extends RuntimeException {

  private final String stage;
  private final Integer exitCode;

  public ImageException(String stage, Integer exitCode, String message, Throwable cause) {
    super(message, cause);
    this.stage = stage;
    this.exitCode = exitCode;
  }

  public String stage() {
    return stage;
  }

  public Integer exitCode() {
    return exitCode;
  }
}
