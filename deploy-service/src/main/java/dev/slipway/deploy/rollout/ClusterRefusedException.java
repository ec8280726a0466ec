package dev.slipway.deploy.rollout;

/**
 * The cluster answered but refused what a rollout asked (forbidden, invalid, a missing HTTPRoute):
 * trying again would not help, so the rollout fails with this message.
 */
class ClusterRefusedException extends RuntimeException {

  ClusterRefusedException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
