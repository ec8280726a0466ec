package dev.slipway.scan.osv;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;

/** Finds where in a JSON text the value at a JSON pointer starts, to report line and column. */
public final class JsonPosition {

  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonPosition() {}

  /** The location of the value (or field) {@code pointer} names, if the text has it. */
  public static Optional<JsonLocation> of(byte[] json, String pointer) {
    JsonPointer target = JsonPointer.compile(pointer);
    try (JsonParser parser = FACTORY.createParser(json)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.FIELD_NAME
            || token == JsonToken.END_OBJECT
            || token == JsonToken.END_ARRAY) {
          continue;
        }
        JsonPointer at = parser.getParsingContext().pathAsPointer();
        if (token.isStructStart()) {
          // The context of a start token is the new container; its own place is its parent's.
          at =
              parser.getParsingContext().getParent() == null
                  ? JsonPointer.empty()
                  : parser.getParsingContext().getParent().pathAsPointer();
        }
        if (at.equals(target)) {
          return Optional.of(parser.currentTokenLocation());
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
