package dev.slipway.build.image;

/** How Slipway names what it pushes: {@code <registry>/<application>:<short sha>}. */
public final class ImageNames {

  /** Length of the commit id in an image tag, as {@code git log --oneline} shows it. */
  public static final int SHORT_SHA = 7;

  private ImageNames() {}

  /** The image reference of {@code application} at {@code commitSha}. */
  public static String reference(String registry, String application, String commitSha) {
    return registry + "/" + application + ":" + commitSha.substring(0, SHORT_SHA);
  }
}
