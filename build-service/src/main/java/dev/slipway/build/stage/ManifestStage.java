package dev.slipway.build.stage;

import com.google.cloud.tools.jib.api.Credential;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.manifest.ManifestPublisher;
import dev.slipway.build.manifest.ManifestRenderer;
import dev.slipway.events.BuildDone.ImageRef;
import dev.slipway.events.RenderedManifests;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;

/**
 * The stage after the SBOM, for an application with a {@code deploy} section: its own manifests
 * rendered for every environment of its pipeline, pinned to the image's digest, and pushed beside
 * the image as one OCI artifact whose digest travels in build.done.
 */
@ApplicationScoped
public class ManifestStage implements Stage {

  private final ManifestRenderer renderer = new ManifestRenderer();
  private final ManifestPublisher publisher;

  public ManifestStage(BuildConfig config) {
    BuildConfig.Registry registry = config.registry();
    Optional<Credential> credential =
        registry.username().flatMap(u -> registry.password().map(p -> Credential.from(u, p)));
    this.publisher = new ManifestPublisher(registry.address(), registry.insecure(), credential);
  }

  @Override
  public String name() {
    return "manifests";
  }

  @Override
  public boolean appliesTo(BuildContext build) {
    return build.spec() != null && build.spec().deploy() != null;
  }

  @Override
  public void run(BuildContext build) {
    String pinned = new ImageRef(build.image().reference(), build.image().digest()).pinned();
    try {
      Map<String, String> rendered =
          renderer.render(
              build.paths().base(),
              build.spec().deploy(),
              build.commit().pipeline().environments(),
              build.application(),
              pinned);
      RenderedManifests pushed =
          publisher.push(build.application(), build.image().digest(), rendered);
      build.manifests(pushed);
      build
          .log()
          .info(
              "==> manifests: "
                  + build.spec().deploy().manifests()
                  + " rendered for "
                  + (rendered.isEmpty() ? "no environment" : String.join(", ", rendered.keySet()))
                  + ", images pinned to "
                  + build.image().digest()
                  + ", pushed as "
                  + pushed.pinned());
    } catch (ManifestRenderer.ManifestException e) {
      throw StageFailure.failed(name(), e.getMessage());
    }
  }
}
