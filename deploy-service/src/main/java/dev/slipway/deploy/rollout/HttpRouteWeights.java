package dev.slipway.deploy.rollout;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets a Gateway API HTTPRoute's backend weights for a canary step. The route belongs to the
 * platform (its parents, hostnames and matches are not Slipway's); Slipway only sets the weights of
 * the backends that are the application's track Services: in every rule that sends traffic to
 * {@code <application>-stable}, that backend gets {@code 100 - weight} and {@code
 * <application>-canary} gets {@code weight} (added beside the stable one if the rule lacks it).
 */
public final class HttpRouteWeights {

  private HttpRouteWeights() {}

  /**
   * Sets {@code route}'s weights in place and returns it.
   *
   * @throws IllegalStateException when no rule sends traffic to the stable Service
   */
  public static HTTPRoute apply(HTTPRoute route, String application, int port, int canaryWeight) {
    String stable = ServiceFactory.trackName(application, Workload.Track.STABLE);
    String canary = ServiceFactory.trackName(application, Workload.Track.CANARY);
    boolean found = false;
    List<HTTPRouteRule> rules =
        route.getSpec() == null || route.getSpec().getRules() == null
            ? List.of()
            : route.getSpec().getRules();
    for (HTTPRouteRule rule : rules) {
      List<HTTPBackendRef> refs = new ArrayList<>(rule.getBackendRefs());
      HTTPBackendRef stableRef = find(refs, stable);
      if (stableRef == null) {
        continue;
      }
      found = true;
      stableRef.setWeight(100 - canaryWeight);
      HTTPBackendRef canaryRef = find(refs, canary);
      if (canaryRef == null) {
        refs.add(
            new HTTPBackendRefBuilder()
                .withName(canary)
                .withPort(stableRef.getPort() == null ? port : stableRef.getPort())
                .withWeight(canaryWeight)
                .build());
      } else {
        canaryRef.setWeight(canaryWeight);
      }
      rule.setBackendRefs(refs);
    }
    if (!found) {
      throw new IllegalStateException(
          "HTTPRoute "
              + route.getMetadata().getName()
              + " has no rule with a backendRef to Service "
              + stable);
    }
    return route;
  }

  /** The weights the route gives the canary Service, one per rule that routes to the stable one. */
  public static List<Integer> canaryWeights(HTTPRoute route, String application) {
    String stable = ServiceFactory.trackName(application, Workload.Track.STABLE);
    String canary = ServiceFactory.trackName(application, Workload.Track.CANARY);
    List<Integer> weights = new ArrayList<>();
    for (HTTPRouteRule rule : route.getSpec().getRules()) {
      if (find(rule.getBackendRefs(), stable) != null) {
        HTTPBackendRef canaryRef = find(rule.getBackendRefs(), canary);
        weights.add(canaryRef == null || canaryRef.getWeight() == null ? 0 : canaryRef.getWeight());
      }
    }
    return weights;
  }

  private static HTTPBackendRef find(List<HTTPBackendRef> refs, String service) {
    return refs.stream()
        .filter(ref -> service.equals(ref.getName()))
        .filter(ref -> ref.getKind() == null || "Service".equals(ref.getKind()))
        .findFirst()
        .orElse(null);
  }
}
