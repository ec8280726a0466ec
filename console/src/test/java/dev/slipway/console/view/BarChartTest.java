package dev.slipway.console.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The server-drawn SVG: scaled bars, escaped text, nothing a CSP would block. */
class BarChartTest {

  @Test
  void scalesBarsToTheLargestValueAndWritesEveryFigure() {
    String svg =
        BarChart.svg(
            "Deployment frequency",
            List.of(
                new BarChart.Bar("dev", 2.0, "2"),
                new BarChart.Bar("prod", 1.0, "1"),
                new BarChart.Bar("staging", null, "n/a")));
    // The room for bars is 320 - 80 - 70 = 170 px: 2.0 gets all of it, 1.0 half, null none.
    assertThat(svg).contains("width=\"170\"").contains("width=\"85\"");
    assertThat(svg.split("<rect").length - 1).isEqualTo(2);
    assertThat(svg).contains(">n/a</text>").contains("role=\"img\"");
    assertThat(svg).doesNotContain("style=").doesNotContain("<script");
  }

  @Test
  void escapesText() {
    String svg = BarChart.svg("<b>&", List.of(new BarChart.Bar("\"x\"", 1.0, "<1>")));
    assertThat(svg).contains("&lt;b&gt;&amp;").contains("&quot;x&quot;").contains("&lt;1&gt;");
    assertThat(svg).doesNotContain("<b>");
  }
}
