package dev.slipway.build.sbom;

import java.util.Set;

/** The SPDX licence ids build-service writes as ids (others go into a licence's name). */
final class SpdxIds {

  private static final Set<String> KNOWN =
      Set.of(
          "0BSD",
          "AGPL-3.0-only",
          "AGPL-3.0-or-later",
          "Apache-1.1",
          "Apache-2.0",
          "Artistic-1.0-Perl",
          "Artistic-2.0",
          "BSD-1-Clause",
          "BSD-2-Clause",
          "BSD-3-Clause",
          "BSD-4-Clause",
          "BSL-1.0",
          "CC0-1.0",
          "CC-BY-4.0",
          "curl",
          "EPL-1.0",
          "EPL-2.0",
          "GFDL-1.2-or-later",
          "GFDL-1.3-or-later",
          "GPL-2.0-only",
          "GPL-2.0-or-later",
          "GPL-3.0-only",
          "GPL-3.0-or-later",
          "ISC",
          "LGPL-2.0-only",
          "LGPL-2.0-or-later",
          "LGPL-2.1-only",
          "LGPL-2.1-or-later",
          "LGPL-3.0-only",
          "LGPL-3.0-or-later",
          "MIT",
          "MPL-1.1",
          "MPL-2.0",
          "OpenSSL",
          "PostgreSQL",
          "Python-2.0",
          "Unlicense",
          "Zlib");

  private SpdxIds() {}

  /** Whether {@code id} is one of the ids above. */
  static boolean isKnown(String id) {
    return KNOWN.contains(id);
  }
}
