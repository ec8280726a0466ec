package dev.slipway.build.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.build.provenance.SigningKeyStore;
import dev.slipway.build.provenance.StatementSigner;
import dev.slipway.events.SampleEvents;
import dev.slipway.events.attestation.Statement;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What signing and attaching the provenance and SBOM adds to a build: the {@code provenance} stage
 * of no-op Dockerfile builds (sign two statements, push two envelopes and two referrer manifests,
 * rewrite the fallback index and the cosign {@code .att} image), beside the image, push and SBOM
 * stages of the same builds, against two raw limits measured in the same run: signing two
 * statements in this JVM, and pushing two one-layer artifacts with plain HTTP calls. Prints
 * figures; asserts only that every build succeeded.
 */
@Tag("bench")
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class ProvenanceBenchmarkIT {

  private static final int BUILDS = 20;
  private static final int WARM_UP = 2;
  private static final int RAW = 50;

  private final SigningKeyStore keys;

  ProvenanceBenchmarkIT(SigningKeyStore keys) {
    this.keys = keys;
  }

  @Test
  void provenanceStageAgainstRawSigningAndPushing() throws Exception {
    List<Map<String, Object>> stages = new ArrayList<>();
    List<Long> totals = new ArrayList<>();
    for (int i = 0; i < WARM_UP + BUILDS; i++) {
      String application = SampleEvents.newApplication();
      Builds.start(
          application,
          GitFixture.create(
              Map.of(
                  ".slipway.yaml",
                  """
                  version: 1
                  steps:
                    - name: noop
                      run: echo built > app.txt
                  image:
                    builder: dockerfile
                  """,
                  "Dockerfile",
                  "FROM scratch\nCOPY app.txt /app.txt\n")));
      JsonPath build = Builds.awaitEnded(application);
      assertThat(build.getString("status")).isEqualTo("SUCCEEDED");
      if (i >= WARM_UP) {
        stages.add(build.getMap("stageDurationsMs"));
        totals.add(build.getLong("durationMs"));
      }
    }

    Statement statement;
    try (InputStream in =
        getClass().getResourceAsStream("/attestation/slipway-provenance.statement.json")) {
      statement = Statement.read(in.readAllBytes());
    }
    StatementSigner signer = new StatementSigner(keys.active());
    double[] signing = new double[RAW];
    for (int i = 0; i < RAW; i++) {
      long start = System.nanoTime();
      signer.sign(statement);
      signer.sign(statement);
      signing[i] = (System.nanoTime() - start) / 1e6;
    }
    double[] pushing = new double[RAW];
    String repository = "raw-" + UUID.randomUUID();
    for (int i = 0; i < RAW; i++) {
      byte[] a = ("{\"a\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
      byte[] b = ("{\"b\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
      long start = System.nanoTime();
      OciRegistry.pushArtifact(repository, "a" + i, "application/vnd.dsse.envelope.v1+json", a);
      OciRegistry.pushArtifact(repository, "b" + i, "application/vnd.dsse.envelope.v1+json", b);
      pushing[i] = (System.nanoTime() - start) / 1e6;
    }

    System.out.printf(
        """

        === provenance overhead (%d no-op Dockerfile builds, after %d warm-up) ===
        %-34s %8s %8s %8s
        %-34s %8.1f %8.1f %8.1f
        %-34s %8.1f %8.1f %8.1f
        %-34s %8.1f %8.1f %8.1f
        %-34s %8.1f %8.1f %8.1f
        %-34s %8.1f %8.1f %8.1f
        raw limits, same run (%d samples):
        %-34s %8.1f %8.1f %8.1f
        %-34s %8.1f %8.1f %8.1f
        provenance share of the build (p50): %.1f %%
        %n""",
        BUILDS,
        WARM_UP,
        "stage",
        "p50 ms",
        "p99 ms",
        "max ms",
        "provenance (sign + attach)",
        p(stage(stages, "provenance"), 50),
        p(stage(stages, "provenance"), 99),
        max(stage(stages, "provenance")),
        "image (buildah build)",
        p(stage(stages, "image"), 50),
        p(stage(stages, "image"), 99),
        max(stage(stages, "image")),
        "push (buildah push)",
        p(stage(stages, "push"), 50),
        p(stage(stages, "push"), 99),
        max(stage(stages, "push")),
        "sbom (generate + push)",
        p(stage(stages, "sbom"), 50),
        p(stage(stages, "sbom"), 99),
        max(stage(stages, "sbom")),
        "whole build",
        p(totals.stream().mapToDouble(Long::doubleValue).toArray(), 50),
        p(totals.stream().mapToDouble(Long::doubleValue).toArray(), 99),
        max(totals.stream().mapToDouble(Long::doubleValue).toArray()),
        RAW,
        "sign two statements (JCA P-256)",
        p(signing, 50),
        p(signing, 99),
        max(signing),
        "push two 1-layer artifacts (HTTP)",
        p(pushing, 50),
        p(pushing, 99),
        max(pushing),
        100
            * p(stage(stages, "provenance"), 50)
            / p(totals.stream().mapToDouble(Long::doubleValue).toArray(), 50));
  }

  private static double[] stage(List<Map<String, Object>> stages, String name) {
    return stages.stream().mapToDouble(s -> ((Number) s.get(name)).doubleValue()).toArray();
  }

  private static double p(double[] values, int percentile) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.max(0, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(0);
  }
}
