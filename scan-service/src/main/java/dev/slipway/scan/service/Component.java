package dev.slipway.scan.service;

import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.util.List;
import java.util.Optional;

/**
 * One SBOM component as matching sees it.
 *
 * @param purl the package URL as the SBOM states it
 * @param ecosystem the OSV ecosystem its purl type maps to
 * @param name the package name in that ecosystem, normalised
 * @param version the installed version ({@code v} prefix of Go kept)
 * @param release the distribution release for OS packages ({@code 12} of {@code debian-12}), else
 *     null
 * @param licenses the SPDX ids or expressions the SBOM states; empty when none
 */
public record Component(
    String purl,
    Ecosystem ecosystem,
    String name,
    String version,
    String release,
    List<String> licenses) {

  public Component {
    licenses = List.copyOf(licenses);
  }

  /**
   * The package a package URL names, with or without a version.
   *
   * @throws MalformedPackageURLException when {@code purl} is no package URL
   */
  public static Optional<Component> packageOf(String purl) throws MalformedPackageURLException {
    PackageURL parsed = new PackageURL(purl);
    if (parsed.getVersion() != null) {
      return of(purl, List.of());
    }
    String withVersion = parsed.toBuilder().withVersion("0").build().canonicalize();
    return of(withVersion, List.of())
        .map(c -> new Component(purl, c.ecosystem(), c.name(), null, c.release(), List.of()));
  }

  /**
   * The component a package URL names, if its type maps to a known ecosystem and it has a version.
   *
   * @throws MalformedPackageURLException when {@code purl} is no package URL
   */
  public static Optional<Component> of(String purl, List<String> licenses)
      throws MalformedPackageURLException {
    PackageURL parsed = new PackageURL(purl);
    Optional<Ecosystem> ecosystem = Ecosystem.ofPurlType(parsed.getType());
    if (ecosystem.isEmpty() || parsed.getVersion() == null || parsed.getVersion().isBlank()) {
      return Optional.empty();
    }
    String namespace = parsed.getNamespace();
    String name =
        switch (ecosystem.get()) {
          case MAVEN -> namespace == null ? parsed.getName() : namespace + ":" + parsed.getName();
          case NPM, GO, PACKAGIST ->
              namespace == null ? parsed.getName() : namespace + "/" + parsed.getName();
          default -> parsed.getName();
        };
    String release = null;
    if (ecosystem.get() == Ecosystem.DEBIAN && parsed.getQualifiers() != null) {
      String distro = parsed.getQualifiers().get("distro");
      if (distro != null) {
        release = distro.replaceFirst("^[a-z]+-", "");
      }
    }
    return Optional.of(
        new Component(
            purl,
            ecosystem.get(),
            ecosystem.get().normalise(name),
            parsed.getVersion(),
            release,
            licenses));
  }
}
