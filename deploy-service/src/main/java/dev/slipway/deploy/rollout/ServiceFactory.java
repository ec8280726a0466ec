package dev.slipway.deploy.rollout;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns an application into the Services slipway applies: the application's Service, which selects
 * the pods of both tracks (so without a route traffic follows the replica ratio), and, for an
 * environment with an HTTPRoute, one Service per track for the route's two backends.
 */
public final class ServiceFactory {

  private ServiceFactory() {}

  /** The application's Service: the environment's port to the containers' {@code http} port. */
  public static Service application(String application, String namespace, int port) {
    Map<String, String> selector = Map.of(DeploymentFactory.NAME, application);
    return service(application, application, namespace, port, selector);
  }

  /** The Service of one track, a backend of the environment's HTTPRoute. */
  public static Service track(
      String application, String namespace, int port, Workload.Track track) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(DeploymentFactory.NAME, application);
    selector.put(DeploymentFactory.TRACK, track.label());
    return service(trackName(application, track), application, namespace, port, selector);
  }

  /**
   * The name of a track's Service: {@code <application>-stable} or {@code <application>-canary}.
   */
  public static String trackName(String application, Workload.Track track) {
    return application + "-" + track.label();
  }

  private static Service service(
      String name, String application, String namespace, int port, Map<String, String> selector) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(DeploymentFactory.NAME, application);
    labels.put(DeploymentFactory.MANAGED_BY, "slipway");
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector)
        .addNewPort()
        .withName("http")
        .withPort(port)
        .withTargetPort(new IntOrString("http"))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
