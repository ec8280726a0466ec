package dev.slipway.launcher.platform;

/** A platform that cannot start, or a process that does not behave; the message says which. */
public final class PlatformException extends RuntimeException {

  public PlatformException(String message) {
    super(message);
  }

  public PlatformException(String message, Throwable cause) {
    super(message, cause);
  }
}
