package dev.slipway.scan.version;

/** How one ecosystem spells and orders its versions. */
public interface VersionOrder {

  /**
   * Parses {@code text} in this order.
   *
   * @throws InvalidVersionException when {@code text} is no version of this ecosystem
   */
  ParsedVersion parse(String text);

  /** A text that is no version of the ecosystem asked. */
  final class InvalidVersionException extends IllegalArgumentException {
    public InvalidVersionException(String text, String ecosystem) {
      super("'" + text + "' is not a " + ecosystem + " version");
    }
  }
}
