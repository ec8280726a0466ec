package dev.slipway.sandbox;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A policy tests set: a behaviour per image digest or per Deployment name (the digest wins), and
 * another policy for everything else.
 */
public final class ProgrammableBehaviourPolicy implements BehaviourPolicy {

  private final Map<String, Behaviour> byDigest = new ConcurrentHashMap<>();
  private final Map<String, Behaviour> byName = new ConcurrentHashMap<>();
  private final BehaviourPolicy fallback;

  /** A policy whose unlisted Deployments become available. */
  public ProgrammableBehaviourPolicy() {
    this(BehaviourPolicy.ALWAYS_AVAILABLE);
  }

  /** A policy that asks {@code fallback} about unlisted Deployments. */
  public ProgrammableBehaviourPolicy(BehaviourPolicy fallback) {
    this.fallback = fallback;
  }

  /** Pods of any Deployment whose image pins {@code digest} ({@code sha256:...}) behave so. */
  public ProgrammableBehaviourPolicy forDigest(String digest, Behaviour behaviour) {
    byDigest.put(digest, behaviour);
    return this;
  }

  /** Pods of Deployments named {@code name}, in any namespace, behave so. */
  public ProgrammableBehaviourPolicy forDeployment(String name, Behaviour behaviour) {
    byName.put(name, behaviour);
    return this;
  }

  @Override
  public Behaviour behaviourOf(Deployment deployment) {
    String digest = BehaviourPolicy.digestOf(BehaviourPolicy.imageOf(deployment));
    if (digest != null && byDigest.containsKey(digest)) {
      return byDigest.get(digest);
    }
    Behaviour named = byName.get(deployment.getMetadata().getName());
    return named != null ? named : fallback.behaviourOf(deployment);
  }
}
