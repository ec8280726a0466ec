package dev.slipway.audit.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Signed notes against the published example of golang.org/x/mod/sumdb/note (and c2sp.org's
 * signed-note): Ed25519 signatures are deterministic, so the signature line must match byte for
 * byte.
 */
class SignedNoteTest {

  private static final String PRIVATE_KEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  private static final String VERIFIER_KEY =
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  private static final String TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";

  @Test
  void theReferenceNoteIsSignedByteForByte() {
    SignedNote.Signer signer = SignedNote.signer(PRIVATE_KEY);

    assertThat(signer.verifierKey()).isEqualTo(VERIFIER_KEY);
    assertThat(SignedNote.sign(TEXT, signer))
        .isEqualTo(
            TEXT
                + "\n"
                + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
                + "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n");
  }

  @Test
  void aCheckpointOpensOnlyWithTheKeyThatSignedItAndUnchanged() {
    SignedNote.Signer signer = SignedNote.signer(SignedNote.newPrivateKey("slipway.dev/audit"));
    byte[] root =
        HexFormat.of().parseHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    String note = SignedNote.sign(SignedNote.checkpointText("slipway.dev/audit", 8, root), signer);

    assertThat(note)
        .startsWith(
            "slipway.dev/audit\n8\nXcnaeacGWamtVZy3Ad7Zoqudgjqt"
                + "L0lgz+Nw7/RgQyg=\n\n\u2014 slipway.dev/audit ");
    SignedNote.CheckpointText opened = SignedNote.open(note, signer);
    assertThat(opened.treeSize()).isEqualTo(8);
    assertThat(opened.rootHash()).isEqualTo(root);
    assertThat(SignedNote.open(note.replace("\n8\n", "\n9\n"), signer)).isNull();
    SignedNote.Signer other = SignedNote.signer(SignedNote.newPrivateKey("slipway.dev/audit"));
    assertThat(SignedNote.open(note, other)).isNull();
  }

  @Test
  void aKeyWhoseIdDoesNotMatchIsRefused() {
    assertThatThrownBy(() -> SignedNote.signer(PRIVATE_KEY.replace("c74f20a3", "c74f20a4")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not match");
  }
}
