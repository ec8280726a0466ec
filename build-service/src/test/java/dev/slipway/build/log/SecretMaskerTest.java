package dev.slipway.build.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretMaskerTest {

  @Test
  void secretCutAcrossChunksIsMaskedWhole() {
    SecretMasker masker = SecretMasker.of(List.of("hunter2-secret"));
    String out = masker.accept("token=hun") + masker.accept("ter2-sec") + masker.accept("ret done");
    assertThat(out + masker.flush()).isEqualTo("token=*** done");
  }

  @Test
  void textThatOnlyLooksLikeTheStartOfASecretIsReleasedUnchanged() {
    SecretMasker masker = SecretMasker.of(List.of("hunter2-secret"));
    String out = masker.accept("hunter") + masker.accept("s and gatherers") + masker.flush();
    assertThat(out).isEqualTo("hunters and gatherers");
  }

  @Test
  void eachLineOfAMultiLineSecretIsMaskedAlone() {
    SecretMasker masker = SecretMasker.of(List.of("-----BEGIN-----\nabcdefgh1234\n-----END-----"));
    assertThat(masker.mask("key line: abcdefgh1234")).isEqualTo("key line: ***");
    assertThat(masker.mask("-----BEGIN-----\nabcdefgh1234\n-----END-----")).isEqualTo("***");
  }

  @Test
  void logLinesAreMaskedBeforeTheyAreCutAndStored() {
    List<String> stored = new ArrayList<>();
    BuildLog log =
        new BuildLog(SecretMasker.of(List.of()), 1, (seq, lines) -> stored.addAll(lines));
    log.addSecrets(List.of("s3cr3t-value"));
    try (BuildLog.Stream out = log.stream()) {
      out.write("a s3cr");
      out.write("3t-value b\nnext");
    }
    log.flush();
    assertThat(stored).containsExactly("a *** b", "next");
    assertThat(log.tail()).containsExactly("a *** b", "next");
  }
}
