package dev.slipway.console.view;

import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart as inline SVG, drawn on the server: no script, no style attribute (the
 * Content-Security-Policy forbids both), colours from the console's stylesheet by class. Every text
 * is escaped; the figures are also in the chart's title and in a table beside it.
 */
public final class BarChart {

  private static final int WIDTH = 320;
  private static final int LABEL = 80;
  private static final int BAR_HEIGHT = 18;
  private static final int GAP = 8;

  private BarChart() {}

  /**
   * One bar.
   *
   * @param label what it is (an environment)
   * @param value its length; null is drawn as "n/a" without a bar
   * @param text the figure written at its end
   */
  public record Bar(String label, Double value, String text) {}

  /** The SVG of {@code bars} under {@code title}, scaled to the largest value. */
  public static String svg(String title, List<Bar> bars) {
    double max =
        bars.stream().map(Bar::value).filter(v -> v != null).mapToDouble(v -> v).max().orElse(0);
    int height = bars.size() * (BAR_HEIGHT + GAP) + GAP;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" width=\"100%\" aria-label=\"")
        .append(escape(title))
        .append("\"><title>")
        .append(escape(title));
    for (Bar bar : bars) {
      svg.append("; ").append(escape(bar.label())).append(": ").append(escape(bar.text()));
    }
    svg.append("</title>");
    int y = GAP;
    int room = WIDTH - LABEL - 70;
    for (Bar bar : bars) {
      svg.append("<text class=\"chart-label\" x=\"0\" y=\"")
          .append(y + 13)
          .append("\">")
          .append(escape(bar.label()))
          .append("</text>");
      int length =
          bar.value() == null || max <= 0
              ? 0
              : (int) Math.max(2, Math.round(room * bar.value() / max));
      if (length > 0) {
        svg.append("<rect class=\"chart-bar\" x=\"")
            .append(LABEL)
            .append("\" y=\"")
            .append(y)
            .append("\" width=\"")
            .append(length)
            .append("\" height=\"")
            .append(BAR_HEIGHT)
            .append("\"/>");
      }
      svg.append("<text class=\"chart-value\" x=\"")
          .append(LABEL + length + 6)
          .append("\" y=\"")
          .append(y + 13)
          .append("\">")
          .append(escape(bar.text()))
          .append("</text>");
      y += BAR_HEIGHT + GAP;
    }
    return svg.append("</svg>").toString();
  }

  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A number for a chart's text: "0.07". */
  static String number(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }
}
