package dev.slipway.launcher;

import dev.slipway.launcher.audit.CheckpointNote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code AuditKeyCommand DIR [NAME]}: makes the audit log's checkpoint signing key for local runs
 * on first use, {@code DIR/checkpoint-key} (private, owner-only) and {@code DIR/checkpoint-key.pub}
 * (the verifier key), and prints the verifier key. The private key never leaves this machine.
 */
public final class AuditKeyCommand {

  private AuditKeyCommand() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: AuditKeyCommand DIR [NAME]");
      System.exit(2);
    }
    System.out.println(ensure(Path.of(args[0]), args.length > 1 ? args[1] : "slipway.dev/audit"));
  }

  /** The verifier key in {@code dir}, after making the pair if it is not there yet. */
  public static String ensure(Path dir, String name) throws IOException {
    Path privateKey = dir.resolve("checkpoint-key");
    Path verifierKey = dir.resolve("checkpoint-key.pub");
    if (!Files.exists(privateKey)) {
      Files.createDirectories(dir);
      String[] pair = CheckpointNote.newKey(name);
      Files.writeString(privateKey, pair[0] + "\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
      Files.writeString(verifierKey, pair[1] + "\n", StandardCharsets.UTF_8);
    }
    return Files.readString(verifierKey, StandardCharsets.UTF_8).trim();
  }
}
