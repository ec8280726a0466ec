package dev.slipway.build.sbom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Image layers for tests: gzip-compressed tars of named files. */
final class TarLayers {

  private TarLayers() {}

  /** A gzip-compressed tar of {@code files}, paths as docker writes them. */
  static byte[] layer(Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (String path : files.keySet().stream().sorted().toList()) {
        TarArchiveEntry entry = new TarArchiveEntry(path);
        entry.setSize(files.get(path).length);
        tar.putArchiveEntry(entry);
        tar.write(files.get(path));
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
