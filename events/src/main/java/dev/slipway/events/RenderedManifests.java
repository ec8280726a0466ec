package dev.slipway.events;

import java.util.List;

/**
 * The application's own Kubernetes manifests, rendered by build-service from the built commit once
 * per environment (images pinned to the build's digest) and pushed as one OCI artifact beside the
 * image: one layer of YAML per environment, titled {@code <environment>.yaml}. deploy-service
 * fetches it by digest, so what is promoted is exactly what was rendered and scanned.
 *
 * @param repository the artifact's repository, e.g. {@code registry:5000/shop}
 * @param digest the digest of the artifact's manifest ({@code sha256:…})
 * @param environments the environments it holds a rendering for
 */
public record RenderedManifests(String repository, String digest, List<String> environments) {

  /** Media type of the artifact and of each environment's layer. */
  public static final String MEDIA_TYPE = "application/vnd.slipway.manifests.v1+yaml";

  public RenderedManifests {
    Require.text(repository, "repository");
    Require.text(digest, "digest");
    environments =
        environments == null
            ? List.of()
            : List.copyOf(Require.noNulls(environments, "environments"));
  }

  /** The artifact pinned by digest, {@code repository@sha256:…}. */
  public String pinned() {
    return repository + "@" + digest;
  }
}
