package dev.slipway.launcher;

import dev.slipway.launcher.audit.CheckpointNote;
import dev.slipway.launcher.audit.ExportVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./slipway audit-verify EXPORT CHECKPOINT [--key KEY]}: checks an NDJSON export of the
 * audit log against a signed checkpoint, offline, with code of its own (it does not trust the
 * service's). KEY is the log's verifier key ({@code GET /api/audit/checkpoint/key}) or a file
 * holding it; without one the checkpoint's signature is not checked and the result is not OK. Exit
 * status: 0 verified, 1 failed, 2 usage.
 */
public final class AuditVerifyCommand {

  private AuditVerifyCommand() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out) ? 0 : 1);
    } catch (IllegalArgumentException e) {
      System.err.println("slipway audit-verify: " + e.getMessage());
      System.err.println("usage: slipway audit-verify EXPORT.ndjson CHECKPOINT [--key KEY|FILE]");
      System.exit(2);
    } catch (IOException e) {
      System.err.println("slipway audit-verify: " + e.getMessage());
      System.exit(2);
    }
  }

  /** Runs the check and prints what it found; true when everything, signature included, holds. */
  public static boolean run(String[] args, PrintStream out) throws IOException {
    String export = null;
    String checkpoint = null;
    String key = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--key") && i + 1 < args.length) {
        key = args[++i];
      } else if (export == null) {
        export = args[i];
      } else if (checkpoint == null) {
        checkpoint = args[i];
      } else {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
    }
    if (export == null || checkpoint == null) {
      throw new IllegalArgumentException("an export and a checkpoint are required");
    }
    if (key != null && Files.isRegularFile(Path.of(key))) {
      key = Files.readString(Path.of(key), StandardCharsets.UTF_8).trim();
    }
    CheckpointNote note;
    try {
      note =
          CheckpointNote.read(Files.readString(Path.of(checkpoint), StandardCharsets.UTF_8), key);
    } catch (IllegalArgumentException e) {
      out.println("FAILED: checkpoint " + checkpoint + ": " + e.getMessage());
      return false;
    }
    out.println(
        "checkpoint: "
            + note.origin()
            + ", "
            + note.treeSize()
            + " rows, "
            + (note.signatureChecked()
                ? "signature verified"
                : "signature NOT checked (no --key)"));
    ExportVerifier.Result result;
    try (BufferedReader reader = Files.newBufferedReader(Path.of(export), StandardCharsets.UTF_8)) {
      result = new ExportVerifier().verify(reader, note);
    }
    result.findings().forEach(out::println);
    out.println(result.ok() ? "OK" : "NOT VERIFIED");
    return result.ok();
  }
}
