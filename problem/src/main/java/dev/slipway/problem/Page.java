package dev.slipway.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of a list endpoint, the same shape for every list Slipway serves: {@code {"items":
 * [...], "next": "..."}}. {@code next} is the opaque cursor to pass as {@code after} for the
 * following page, {@code null} on the last page.
 *
 * @param items the page's items
 * @param next the cursor of the following page, or null when there is none
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Page<T>(List<T> items, String next) {

  public Page {
    items = List.copyOf(items);
  }

  /**
   * A page of {@code items} read with page size {@code limit}: a full page has a next page, whose
   * cursor {@code cursorOf} makes from its last item.
   */
  public static <T> Page<T> of(
      List<T> items, int limit, java.util.function.Function<T, String> cursorOf) {
    String next =
        items.size() < limit || items.isEmpty()
            ? null
            : cursorOf.apply(items.get(items.size() - 1));
    return new Page<>(items, next);
  }
}
