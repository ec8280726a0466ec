package dev.slipway.build.sbom;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The files of interest in an image's filesystem: its layers applied in order, OCI whiteouts
 * honoured ({@code .wh.name} removes a file of a lower layer, {@code .wh..wh..opq} empties a
 * folder), each file read up to a size bound.
 */
final class ImageFiles {

  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";

  private final Predicate<String> wanted;
  private final long maxFileBytes;
  private final Map<String, byte[]> files = new LinkedHashMap<>();

  /**
   * @param wanted which paths (relative, no leading slash) to keep
   * @param maxFileBytes the largest file kept; a larger one fails the read
   */
  ImageFiles(Predicate<String> wanted, long maxFileBytes) {
    this.wanted = wanted;
    this.maxFileBytes = maxFileBytes;
  }

  /** Applies one layer (a tar, gzip-compressed or not) over the layers applied before. */
  void apply(InputStream layer) throws IOException {
    BufferedInputStream in = new BufferedInputStream(layer);
    in.mark(2);
    int first = in.read();
    int second = in.read();
    in.reset();
    InputStream tar = first == 0x1f && second == 0x8b ? new GZIPInputStream(in, 64 * 1024) : in;
    try (TarArchiveInputStream entries = new TarArchiveInputStream(tar)) {
      for (TarArchiveEntry entry = entries.getNextEntry();
          entry != null;
          entry = entries.getNextEntry()) {
        String path = normalise(entry.getName());
        int slash = path.lastIndexOf('/');
        String folder = slash < 0 ? "" : path.substring(0, slash + 1);
        String base = path.substring(slash + 1);
        if (base.equals(OPAQUE)) {
          files.keySet().removeIf(p -> p.startsWith(folder));
        } else if (base.startsWith(WHITEOUT)) {
          String removed = folder + base.substring(WHITEOUT.length());
          files.keySet().removeIf(p -> p.equals(removed) || p.startsWith(removed + "/"));
        } else if (entry.isSymbolicLink() || entry.isLink() || entry.isDirectory()) {
          // Checked before isFile(), which holds for links too: Debian's /etc/os-release is a
          // symlink to ../usr/lib/os-release, and read as a file it was empty (no distro).
          files.remove(path);
        } else if (entry.isFile() && wanted.test(path)) {
          files.put(path, read(entries, path));
        }
      }
    }
  }

  private byte[] read(InputStream entry, String path) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = entry.read(buffer)) > 0; ) {
      total += n;
      if (total > maxFileBytes) {
        throw new IOException(
            "/" + path + " is larger than the " + maxFileBytes + " bytes an SBOM reads");
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** The file at {@code path}, or null. */
  byte[] get(String path) {
    return files.get(path);
  }

  /** The files below {@code folder}, in path order. */
  List<Map.Entry<String, byte[]>> below(String folder) {
    List<Map.Entry<String, byte[]>> found = new ArrayList<>();
    files.entrySet().stream()
        .filter(e -> e.getKey().startsWith(folder))
        .sorted(Map.Entry.comparingByKey())
        .forEach(found::add);
    return found;
  }

  static String normalise(String name) {
    String path = name;
    while (path.startsWith("./") || path.startsWith("/")) {
      path = path.substring(path.startsWith("./") ? 2 : 1);
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
