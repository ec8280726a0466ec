package dev.slipway.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageLimitTest {

  @Test
  void leftOutIsTheDefaultAndAnyNumberInRangeIsItself() {
    assertThat(PageLimit.parse(null, 50, 500)).isEqualTo(50);
    assertThat(PageLimit.parse("1", 50, 500)).isEqualTo(1);
    assertThat(PageLimit.parse(" 500 ", 50, 500)).isEqualTo(500);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "501", "-3", "ten", "", "99999999999"})
  void anythingElseIsA400NamingLimit(String limit) {
    assertThatThrownBy(() -> PageLimit.parse(limit, 50, 500))
        .isInstanceOfSatisfying(
            InvalidInputException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.field()).isEqualTo("limit");
              assertThat(e.getMessage()).isEqualTo("limit must be a whole number from 1 to 500.");
            });
  }
}
