package dev.slipway.build.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Git LFS in a checkout: files whose content lives on an LFS server and which the checkout holds
 * only as pointers ({@code version https://git-lfs.github.com/spec/v1}). This build-service does
 * not fetch LFS objects (an LFS endpoint is one more URL a repository could point the service at),
 * so a build of such a commit fails at clone, saying so, rather than building from pointers.
 */
final class Lfs {

  private static final byte[] POINTER =
      "version https://git-lfs.github.com/spec/v1".getBytes(StandardCharsets.US_ASCII);
  private static final long MAX_POINTER = 1024;

  private Lfs() {}

  static void requireNone(Path workspace) {
    List<String> pointers = new ArrayList<>();
    try {
      Files.walkFileTree(
          workspace,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return dir.getFileName() != null && dir.getFileName().toString().equals(".git")
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (attrs.isRegularFile() && attrs.size() <= MAX_POINTER && isPointer(file)) {
                pointers.add(workspace.relativize(file).toString());
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new SourceException("cannot read the checkout: " + e.getMessage());
    }
    if (!pointers.isEmpty()) {
      pointers.sort(null);
      throw new SourceException(
          "the commit keeps "
              + pointers.size()
              + " file(s) in Git LFS ("
              + String.join(", ", pointers.subList(0, Math.min(3, pointers.size())))
              + (pointers.size() > 3 ? ", …" : "")
              + ") and Git LFS is not configured on this build-service: it does not fetch LFS"
              + " objects, and a build from LFS pointers would not be the commit's");
    }
  }

  private static boolean isPointer(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(POINTER.length);
      return java.util.Arrays.equals(head, POINTER);
    }
  }
}
