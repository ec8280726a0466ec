package dev.slipway.deploy.client;

/**
 * A cluster could not be reached or its credentials could not be loaded. Its message names the
 * cluster and the cause, never a credential.
 */
public class ClusterUnreachableException extends RuntimeException {

  public ClusterUnreachableException(String message) {
    super(message, null, false, false);
  }

  public ClusterUnreachableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
