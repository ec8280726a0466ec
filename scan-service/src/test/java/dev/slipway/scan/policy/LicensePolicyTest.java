package dev.slipway.scan.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPDX ids compared after normalisation: case, deprecated ids ({@code GPL-2.0} is {@code
 * GPL-2.0-only}), {@code +} and {@code -or-later}; an "or later" licence is denied only when every
 * version it may be used under is; expressions as SPDX defines them.
 */
class LicensePolicyTest {

  @ParameterizedTest(name = "deny [{0}], component {1}: denied={2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // deprecated ids and their successors are one licence, whichever side spells which
        "GPL-2.0-only | GPL-2.0 | true",
        "GPL-2.0 | GPL-2.0-only | true",
        "gpl-2.0-only | GPL-2.0-ONLY | true",
        "LGPL-2.1-or-later | LGPL-2.1+ | true",
        "LGPL-2.1+ | LGPL-2.1-or-later | true",
        "GPL-2.0-only | GPL-2.0-with-classpath-exception | true",
        // a denied "or later" denies that version and every later one
        "GPL-2.0-or-later | GPL-3.0-only | true",
        "GPL-2.0-or-later | GPL-3.0 | true",
        "GPL-3.0-or-later | GPL-2.0-only | false",
        // a component under "or later" may pick a version the policy allows
        "GPL-2.0-only | GPL-2.0+ | false",
        "GPL-2.0-only | GPL-2.0-or-later | false",
        "GPL-2.0-only, GPL-3.0-only | GPL-2.0-or-later | true",
        "AGPL-3.0-only | AGPL-3.0-or-later | true",
        // expressions
        "AGPL-3.0-only | MIT OR AGPL-3.0-only | false",
        "AGPL-3.0-only | MIT AND AGPL-3.0 | true",
        "AGPL-3.0-only | (Apache-2.0 OR AGPL-3.0+) AND MIT | false",
        "GPL-2.0-only | GPL-2.0 WITH Classpath-exception-2.0 | true",
        // other ids: case only
        "mit | MIT | true",
        "Apache-2.0 | MIT | false",
      })
  void normalisedComparison(String denied, String license, boolean expected) {
    LicensePolicy policy = new LicensePolicy(List.of(denied.split(",\\s*")));
    assertThat(policy.isDenied(license)).isEqualTo(expected);
  }
}
