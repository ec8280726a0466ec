package dev.slipway.trigger.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RefFilterTest {

  @ParameterizedTest
  @CsvSource({
    "main, main, true",
    "main, main2, false",
    "release/*, release/1.2, true",
    "release/*, release/1.2/hotfix, false",
    "release/**, release/1.2/hotfix, true",
    "**, feature/a/b, true",
    "v?.*, v1.2, true",
    "v?.*, v10.2, false",
    "feature/(x), feature/(x), true",
    "a.b, axb, false"
  })
  void globsMatchAsDocumented(String glob, String name, boolean matches) {
    assertThat(RefFilter.globMatches(glob, name)).isEqualTo(matches);
  }

  @Test
  void branchGlobsApplyToBranchesAndTagGlobsToTags() {
    List<String> branches = List.of("main");
    List<String> tags = List.of("v*");
    assertThat(RefFilter.matches("refs/heads/main", branches, tags)).isTrue();
    assertThat(RefFilter.matches("refs/tags/main", branches, tags)).isFalse();
    assertThat(RefFilter.matches("refs/tags/v1.0", branches, tags)).isTrue();
    assertThat(RefFilter.matches("refs/heads/v1.0", branches, tags)).isFalse();
    assertThat(RefFilter.matches("refs/notes/commits", List.of("**"), List.of("**"))).isFalse();
  }
}
