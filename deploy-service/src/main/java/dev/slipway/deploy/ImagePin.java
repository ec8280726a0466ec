package dev.slipway.deploy;

import dev.slipway.deploy.manifest.ManifestSet;
import java.util.regex.Pattern;

/**
 * The image reference a rollout applies: the repository pinned by digest, {@code repo@sha256:…}.
 */
public final class ImagePin {

  private static final Pattern DIGEST =
      Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}");

  private ImagePin() {}

  /** Whether {@code digest} is a content digest such as {@code sha256:<64 hex>}. */
  public static boolean isDigest(String digest) {
    return digest != null && DIGEST.matcher(digest).matches();
  }

  /**
   * {@code image} without tag or digest, pinned to {@code digest}: a tag is never what runs.
   *
   * @throws IllegalArgumentException when {@code digest} is not a content digest
   */
  public static String pin(String image, String digest) {
    if (!isDigest(digest)) {
      throw new IllegalArgumentException("'" + digest + "' is not a content digest");
    }
    return ManifestSet.repositoryOf(image) + "@" + digest;
  }
}
