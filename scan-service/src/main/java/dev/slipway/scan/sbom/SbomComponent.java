package dev.slipway.scan.sbom;

import java.util.List;

/**
 * One component of an SBOM as it is listed, whether or not it can be matched: the licence policy
 * reads every one, with or without a package URL.
 *
 * @param purl its package URL; null when the SBOM gives none
 * @param name its name
 * @param version its version; may be null
 * @param licenses the SPDX ids or expressions the SBOM states; empty when none
 */
public record SbomComponent(String purl, String name, String version, List<String> licenses) {

  public SbomComponent {
    licenses = List.copyOf(licenses);
  }

  /** How reports name it: its purl, else {@code name@version}. */
  public String label() {
    if (purl != null) {
      return purl;
    }
    return version == null ? String.valueOf(name) : name + "@" + version;
  }
}
