package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every object each overlay renders is a valid object of its kind: bound to its fabric8 or Strimzi
 * model without a field the model lacks, or, for CloudNativePG, KEDA and cert-manager, valid by the
 * schema of the CRD its project publishes. A kind with neither is an error too.
 */
class OverlayModelTest {

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Set<String> LABEL_NAMED =
      Set.of("Namespace", "Service", "Deployment", "Job", "ServiceAccount");

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyObjectFitsItsModelOrItsCrdSchema(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<String> problems = new ArrayList<>();
    for (ObjectNode object : overlay.objects()) {
      var type = Models.typeOf(object);
      if (type.isPresent()) {
        try {
          Models.bind(object, type.get());
        } catch (IllegalArgumentException e) {
          problems.add(e.getMessage());
        }
      }
      if (CrdSchemas.covers(object)) {
        CrdSchemas.violations(object)
            .forEach(v -> problems.add(Overlay.describe(object) + ": " + v));
      }
      if (type.isEmpty() && !CrdSchemas.covers(object)) {
        problems.add(
            Overlay.describe(object) + ": no model and no CRD schema for " + Models.key(object));
      }
    }
    assertThat(problems).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void namesAreValidAndUniquePerKindAndNamespace(String name) {
    Overlay overlay = Overlay.rendered(name);
    Set<String> seen = new HashSet<>();
    for (ObjectNode object : overlay.objects()) {
      String objectName = Overlay.name(object);
      assertThat(objectName)
          .as(Overlay.describe(object))
          .hasSizeLessThanOrEqualTo(253)
          .matches(DNS_SUBDOMAIN);
      if (LABEL_NAMED.contains(object.path("kind").asText())) {
        assertThat(objectName)
            .as(Overlay.describe(object))
            .hasSizeLessThanOrEqualTo(63)
            .matches(DNS_LABEL);
      }
      assertThat(seen.add(Models.key(object) + " " + Overlay.describe(object)))
          .as("%s rendered twice", Overlay.describe(object))
          .isTrue();
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyNamespacedObjectIsInSlipwaysNamespaceOrTheBuildNamespace(String name) {
    Overlay overlay = Overlay.rendered(name);
    for (ObjectNode object : overlay.objects()) {
      if (object.path("kind").asText().equals("Namespace")) {
        assertThat(Overlay.name(object)).isIn(Overlay.NAMESPACE, Overlay.BUILD_NAMESPACE);
      } else {
        assertThat(Overlay.namespace(object))
            .as(Overlay.describe(object))
            .isIn(Overlay.NAMESPACE, Overlay.BUILD_NAMESPACE);
      }
    }
  }
}
