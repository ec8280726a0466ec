package dev.slipway.build.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The checksum manifest of one cache entry version: one line per folder, file and link ({@code kind
 * mode sha256-or-link-target path}, tab-separated), and a last line with the sha256 of all the
 * lines before it, so a manifest that was cut or edited is itself refused.
 */
final class Manifest {

  private record Item(String kind, String mode, String value) {}

  private final Map<String, Item> items = new LinkedHashMap<>();
  private final Set<String> seen = new HashSet<>();

  void add(String path, String kind, String mode, String value) {
    items.put(path, new Item(kind, mode, value));
  }

  void write(Path file) throws IOException {
    StringBuilder text = new StringBuilder();
    items.forEach(
        (path, item) ->
            text.append(item.kind())
                .append('\t')
                .append(item.mode())
                .append('\t')
                .append(item.value())
                .append('\t')
                .append(path)
                .append('\n'));
    String body = text.toString();
    Files.writeString(
        file, body + "sha256\t" + BuildCache.sha256(body.getBytes(StandardCharsets.UTF_8)) + "\n");
  }

  static Manifest read(Path file) throws IOException {
    String text = Files.readString(file);
    int last = text.lastIndexOf("sha256\t");
    if (last < 0) {
      throw new BuildCache.CorruptEntryException("its manifest has no checksum");
    }
    String body = text.substring(0, last);
    String sum = text.substring(last + "sha256\t".length()).strip();
    if (!BuildCache.sha256(body.getBytes(StandardCharsets.UTF_8)).equals(sum)) {
      throw new BuildCache.CorruptEntryException("its manifest does not match its checksum");
    }
    Manifest manifest = new Manifest();
    for (String line : body.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\t", 4);
      manifest.add(parts[3], parts[0], parts[1], parts[2]);
    }
    return manifest;
  }

  /** Checks one restored item against the manifest. */
  void expect(String path, String kind, String value) {
    Item item = items.get(path);
    if (item == null
        || !item.kind().equals(kind)
        || !(kind.equals("d") || item.value().equals(value))) {
      throw new BuildCache.CorruptEntryException(
          path + (item == null ? " is not in its manifest" : " does not match its checksum"));
    }
    seen.add(path);
  }

  /** Fails when an item of {@code prefix} the manifest lists was not restored. */
  void requireAllSeen(String prefix) {
    for (String path : items.keySet()) {
      if ((path.equals(prefix) || path.startsWith(prefix + "/")) && !seen.contains(path)) {
        throw new BuildCache.CorruptEntryException(path + " is missing");
      }
    }
  }
}
