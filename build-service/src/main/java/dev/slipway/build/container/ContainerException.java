package dev.slipway.build.container;

/** A container could not be prepared or started; the message says why, never a secret. */
public class ContainerException extends RuntimeException {
  public ContainerException(String message) {
    super(message);
  }
}
