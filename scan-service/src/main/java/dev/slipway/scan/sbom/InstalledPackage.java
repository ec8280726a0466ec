package dev.slipway.scan.sbom;

import dev.slipway.scan.osv.Ecosystem;

/**
 * A component as matching sees it: the ecosystem its package URL belongs to, the names advisories
 * use for it and the version to compare.
 *
 * @param purl the package URL as the SBOM states it
 * @param ecosystem the OSV ecosystem
 * @param name the name advisories use, normalised as the ecosystem compares names (for Debian,
 *     Ubuntu and Alpine packages the source package, from {@code upstream=})
 * @param alternateName the other name it is known by: an RPM's source package, a Debian, Ubuntu or
 *     Alpine binary package whose source differs; else null
 * @param version the version to compare ({@code epoch:} included, the source version for an OS
 *     package whose {@code upstream=} names one)
 * @param installedVersion the version as the package URL states it, for reports
 * @param release the operating system release ({@code 12} of {@code distro=debian-12.4}); null for
 *     language ecosystems and when the SBOM does not say
 */
public record InstalledPackage(
    String purl,
    Ecosystem ecosystem,
    String name,
    String alternateName,
    String version,
    String installedVersion,
    String release) {}
