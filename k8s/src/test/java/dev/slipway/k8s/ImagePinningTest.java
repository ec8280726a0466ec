package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every container of every overlay runs a Slipway image pinned by digest ({@code
 * <registry>/slipway/<service>@sha256:<64 hex>}, written by {@code ./slipway images}): what runs is
 * exactly what was built and pushed, whatever happens to the tag later.
 */
class ImagePinningTest {

  private static final Pattern PINNED =
      Pattern.compile("(?<registry>[^/@]+)/slipway/(?<service>[a-z-]+)@sha256:[0-9a-f]{64}");

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyImageIsASlipwayImagePinnedByDigest(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<String> registries = new ArrayList<>();
    SoftAssertions softly = new SoftAssertions();
    PodHardeningTest.templates(overlay)
        .forEach(
            (owner, template) -> {
              String service =
                  template
                      .getMetadata()
                      .getLabels()
                      .get("app.kubernetes.io/name")
                      .replace("-migrate", "");
              List<Container> containers = new ArrayList<>(template.getSpec().getContainers());
              containers.addAll(template.getSpec().getInitContainers());
              for (Container container : containers) {
                Matcher matcher = PINNED.matcher(container.getImage());
                softly
                    .assertThat(matcher.matches())
                    .as("%s runs %s", owner, container.getImage())
                    .isTrue();
                if (matcher.matches()) {
                  softly
                      .assertThat(matcher.group("service"))
                      .as("%s's image", owner)
                      .isEqualTo(service);
                  registries.add(matcher.group("registry"));
                }
              }
            });
    softly.assertAll();
    assertThat(registries)
        .as("one registry per overlay")
        .isNotEmpty()
        .allMatch(registries.get(0)::equals);
  }
}
