package dev.slipway.events.attestation;

/**
 * Where an image lives: the registry host and the repository in it, read from a reference such as
 * {@code 127.0.0.1:5000/shop}, {@code registry.example/acme/shop:1.2} or {@code
 * ghcr.io/acme/shop@sha256:...} (a tag or digest is dropped: attestations are looked up by the
 * digest being verified, never by what a reference says).
 *
 * @param registry {@code host[:port]}
 * @param repository the path inside the registry, e.g. {@code acme/shop}
 */
public record ImageName(String registry, String repository) {

  /**
   * Reads {@code image}; a reference without a registry host (a Docker Hub short name) is refused:
   * Slipway's images are pushed to a named registry.
   */
  public static ImageName parse(String image) {
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException("no image reference");
    }
    String name = image;
    int at = name.indexOf('@');
    if (at >= 0) {
      name = name.substring(0, at);
    }
    int slash = name.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException(image + " names no registry host");
    }
    String registry = name.substring(0, slash);
    String repository = name.substring(slash + 1);
    if (!(registry.contains(".") || registry.contains(":") || registry.equals("localhost"))) {
      throw new IllegalArgumentException(image + " names no registry host");
    }
    int tag = repository.lastIndexOf(':');
    if (tag > repository.lastIndexOf('/')) {
      repository = repository.substring(0, tag);
    }
    if (repository.isEmpty()) {
      throw new IllegalArgumentException(image + " names no repository");
    }
    return new ImageName(registry, repository);
  }

  @Override
  public String toString() {
    return registry + "/" + repository;
  }
}
