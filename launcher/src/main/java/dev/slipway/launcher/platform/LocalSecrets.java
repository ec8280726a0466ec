package dev.slipway.launcher.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secrets of a local platform (trigger-service's encryption key, the audit store's role passwords):
 * 32 random bytes in Base64, made on first use in an owner-only file of the state folder and kept
 * there for the next start, never committed.
 */
public final class LocalSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;

  public LocalSecrets(Path dir) {
    this.dir = dir;
  }

  /** The secret {@code name}, made now if it does not exist yet. */
  public synchronized String get(String name) {
    Path file = dir.resolve(name);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(dir);
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        Path partial = Files.createTempFile(dir, name, ".new");
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(partial, Base64.getEncoder().encodeToString(key) + "\n");
        Files.move(partial, file);
      }
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or make the secret " + file, e);
    }
  }
}
