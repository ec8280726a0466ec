package dev.slipway.deploy.client;

/**
 * What deploy-service tells about a registered cluster: never its credentials.
 *
 * @param name the name environments use
 * @param apiUrl the API server's URL, when known
 * @param source how deploy-service reaches it: kubeconfig, in-cluster or token-secret
 * @param reachable whether its API server answered just now
 * @param serverVersion the Kubernetes version it reported
 * @param error why it could not be reached, when it could not
 */
public record ClusterInfo(
    String name,
    String apiUrl,
    String source,
    boolean reachable,
    String serverVersion,
    String error) {}
