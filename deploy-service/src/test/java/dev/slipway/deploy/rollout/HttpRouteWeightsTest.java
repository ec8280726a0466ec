package dev.slipway.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import org.junit.jupiter.api.Test;

class HttpRouteWeightsTest {

  @Test
  void canaryBackendIsAddedBesideTheStableOneWithTheStepWeight() {
    HTTPRoute route = route("shop-stable", "docs");

    HttpRouteWeights.apply(route, "shop", 8080, 20);

    var refs = route.getSpec().getRules().get(0).getBackendRefs();
    assertThat(refs)
        .extracting(r -> r.getName() + "=" + r.getWeight())
        .containsExactly("shop-stable=80", "shop-canary=20");
    // A rule that does not route to the application is the platform's business.
    assertThat(route.getSpec().getRules().get(1).getBackendRefs())
        .extracting(r -> r.getName() + "=" + r.getWeight())
        .containsExactly("docs=100");
    assertThat(HttpRouteWeights.canaryWeights(route, "shop")).containsExactly(20);
  }

  @Test
  void weightsOfAnExistingCanaryBackendAreSetAgain() {
    HTTPRoute route = route("shop-stable", "docs");
    HttpRouteWeights.apply(route, "shop", 8080, 60);

    HttpRouteWeights.apply(route, "shop", 8080, 0);

    assertThat(route.getSpec().getRules().get(0).getBackendRefs())
        .extracting(r -> r.getName() + "=" + r.getWeight())
        .containsExactly("shop-stable=100", "shop-canary=0");
  }

  @Test
  void routeWithoutTheStableServiceIsRefusedNamingIt() {
    assertThatThrownBy(() -> HttpRouteWeights.apply(route("other", "docs"), "shop", 8080, 10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("HTTPRoute edge has no rule with a backendRef to Service shop-stable");
  }

  private static HTTPRoute route(String firstBackend, String secondBackend) {
    return new HTTPRouteBuilder()
        .withNewMetadata()
        .withName("edge")
        .endMetadata()
        .withNewSpec()
        .addNewRule()
        .addNewBackendRef()
        .withName(firstBackend)
        .withPort(8080)
        .withWeight(100)
        .endBackendRef()
        .endRule()
        .addNewRule()
        .addNewBackendRef()
        .withName(secondBackend)
        .withPort(80)
        .withWeight(100)
        .endBackendRef()
        .endRule()
        .endSpec()
        .build();
  }
}
