package dev.slipway.deploy.client;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Tells a cluster that cannot be reached from one that refused a request, and says which. */
public final class ClusterErrors {

  private ClusterErrors() {}

  /**
   * Whether {@code failure} means the cluster could not be reached or was momentarily unable to
   * answer (connection refused, timeout, 5xx, 429), so the request may be tried again.
   */
  public static boolean unreachable(Throwable failure) {
    if (failure instanceof ClusterUnreachableException) {
      return true;
    }
    if (failure instanceof KubernetesClientException k8s) {
      int code = k8s.getCode();
      if (code == 0 || code == 429 || code >= 500) {
        return true;
      }
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException || cause instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** A one-line description of {@code failure} for a reason or an answer; no credentials. */
  public static String describe(Throwable failure) {
    if (failure instanceof KubernetesClientException k8s) {
      String status =
          k8s.getStatus() != null && k8s.getStatus().getMessage() != null
              ? k8s.getStatus().getMessage()
              : null;
      Throwable root = root(failure);
      if (k8s.getCode() > 0) {
        return "HTTP " + k8s.getCode() + (status != null ? ": " + status : "");
      }
      return root == failure ? String.valueOf(failure.getMessage()) : root.toString();
    }
    Throwable root = root(failure);
    return root == failure
        ? String.valueOf(failure.getMessage())
        : failure.getMessage() + ": " + root;
  }

  private static Throwable root(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
