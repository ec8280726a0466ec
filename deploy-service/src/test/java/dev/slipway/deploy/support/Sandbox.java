package dev.slipway.deploy.support;

import dev.slipway.sandbox.ProgrammableBehaviourPolicy;
import dev.slipway.sandbox.SandboxServer;

/**
 * The clusters deploy-service under test deploys to: {@code local} (registered by kubeconfig) and
 * {@code remote} (by API URL and a token read from a Secret in {@code local}), each a sandbox API
 * server with its own behaviour policy, and the Prometheus canary analyses ask.
 *
 * @param local the sandbox registered as cluster {@code local}
 * @param localPolicy how pods behave in {@code local}
 * @param remote the sandbox registered as cluster {@code remote}
 * @param remotePolicy how pods behave in {@code remote}
 * @param prometheus the Prometheus query API both clusters' analyses use
 * @param remoteToken the bearer token of {@code remote}, kept in a Secret of {@code local}
 */
public record Sandbox(
    SandboxServer local,
    ProgrammableBehaviourPolicy localPolicy,
    SandboxServer remote,
    ProgrammableBehaviourPolicy remotePolicy,
    PrometheusStub prometheus,
    String remoteToken) {}
