package dev.slipway.scan.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.EventJson;
import dev.slipway.events.ScanPolicy;
import dev.slipway.events.Severity;
import dev.slipway.scan.ScanFixtures;
import dev.slipway.scan.ScanOutcome;
import dev.slipway.scan.match.Candidate;
import dev.slipway.scan.match.MatchedFinding;
import dev.slipway.scan.match.Matcher;
import dev.slipway.scan.osv.Ecosystem;
import dev.slipway.scan.policy.PolicyGate;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.sbom.SbomReader;
import dev.slipway.scan.service.AdvisoryImporter;
import dev.slipway.scan.service.ExposureService;
import dev.slipway.scan.service.ImportReport;
import dev.slipway.scan.service.Scanner;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * scan-service's figures (./slipway bench scan-service): import rate of 100,000 OSV advisories
 * generated in the shapes of the real ones (ecosystems, names, 1-3 ranges, last_affected, CVSS
 * vectors, aliases), p99 of 50 scans of a 2,000-component SBOM against them, and p99 of the
 * exposure query over 1,000 deployed digests, and the re-evaluation of those 1,000 running digests
 * after an import of 1,000 changed advisories. Each figure is printed beside its raw limit measured
 * in the same run (bare JSON parse, bare SQL lookup, bare SQL join) and the ratio. Asserts no time.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@TestProfile(ScanBenchmarkIT.BenchProfile.class)
@Tag("bench")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScanBenchmarkIT {

  /** Production limits rather than the small ones of the test profile. */
  public static class BenchProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "slipway.scan.advisories.max-upload-bytes", "1073741824",
          "slipway.scan.advisories.max-decompressed-bytes", "8589934592",
          "slipway.scan.sbom.max-bytes", "52428800");
    }
  }

  private static final int ADVISORIES = 100_000;
  private static final int PACKAGES_PER_ECOSYSTEM = 6_000;
  private static final int SBOM_COMPONENTS = 2_000;
  private static final int SCANS = 50;
  private static final int WARM_UP = 5;
  private static final int DIGESTS = 1_000;
  private static final int COMPONENTS_PER_DIGEST = 40;
  private static final int EXPOSURE_QUERIES = 200;
  private static final int CHANGED = 1_000;
  private static final Duration AWAIT = Duration.ofMinutes(10);
  private static final Ecosystem[] ECOSYSTEMS = {
    Ecosystem.MAVEN, Ecosystem.NPM, Ecosystem.NPM, Ecosystem.PYPI, Ecosystem.GO
  };
  private static final String[] VECTORS = {
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
  };

  @Inject AdvisoryImporter importer;
  @Inject Scanner scanner;
  @Inject ExposureService exposure;
  @Inject Pool pool;
  @Inject AdvisoryRepository advisories;

  private static byte[] zip;

  @Test
  @Order(1)
  void importRate() throws IOException {
    zip = generatedZip(new Random(8083));
    long parseStart = System.nanoTime();
    int parsed = 0;
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        EventJson.mapper().readTree(in.readAllBytes());
        parsed++;
      }
    }
    double parseSeconds = (System.nanoTime() - parseStart) / 1e9;

    long start = System.nanoTime();
    ImportReport report = importer.importZip(new ByteArrayInputStream(zip));
    double seconds = (System.nanoTime() - start) / 1e9;

    assertThat(report.quarantined()).isEmpty();
    double rate = report.files() / seconds;
    double rawRate = parsed / parseSeconds;
    System.out.printf(
        "BENCH import: %d OSV files (zip %.1f MB) in %.1f s = %.0f files/s; raw limit (bare"
            + " unzip + JSON parse of the same files) %.0f files/s; ratio %.1fx%n",
        report.files(), zip.length / 1e6, seconds, rate, rawRate, rawRate / rate);
  }

  @Test
  @Order(2)
  void scanOf2000ComponentsAgainst100000Advisories() {
    Random random = new Random(2000);
    List<String> purls = new ArrayList<>();
    for (int i = 0; i < SBOM_COMPONENTS; i++) {
      // Two thirds are packages the database knows, a third are not.
      purls.add(
          i % 3 == 2
              ? "pkg:npm/unknown-" + i + "@1.0." + i
              : purl(
                  ECOSYSTEMS[i % ECOSYSTEMS.length],
                  random.nextInt(PACKAGES_PER_ECOSYSTEM),
                  random));
    }
    byte[] sbom = ScanFixtures.sbom(purls.toArray(String[]::new));
    ScanPolicy policy = new ScanPolicy(Severity.HIGH, false);
    ScanOutcome outcome = scanner.scan(sbom, policy, List.of()).await().atMost(AWAIT);
    for (int i = 0; i < WARM_UP; i++) {
      scanner.scan(sbom, policy, List.of()).await().atMost(AWAIT);
    }
    long[] scans = new long[SCANS];
    for (int i = 0; i < SCANS; i++) {
      long start = System.nanoTime();
      scanner.scan(sbom, policy, List.of()).await().atMost(AWAIT);
      scans[i] = System.nanoTime() - start;
    }

    String[] ecosystems = new String[SBOM_COMPONENTS];
    String[] names = new String[SBOM_COMPONENTS];
    for (int i = 0; i < SBOM_COMPONENTS; i++) {
      ecosystems[i] =
          outcome.packages().get(Math.min(i, outcome.packages().size() - 1)).ecosystem().osvName();
      names[i] = outcome.packages().get(Math.min(i, outcome.packages().size() - 1)).name();
    }
    long[] lookups = new long[SCANS];
    for (int i = 0; i < SCANS; i++) {
      long start = System.nanoTime();
      pool.preparedQuery(
              """
              SELECT a.advisory_id, a.ranges::text, a.versions FROM affected a
              WHERE (a.ecosystem, a.name) IN (
                SELECT e, n COLLATE "C" FROM unnest($1::text[], $2::text[]) AS t(e, n))
              """)
          .execute(Tuple.of(ecosystems, names))
          .await()
          .atMost(AWAIT);
      lookups[i] = System.nanoTime() - start;
    }
    // Where a scan's time goes: each phase alone, over as many runs.
    long[] reads = new long[SCANS];
    long[] rows = new long[SCANS];
    long[] matches = new long[SCANS];
    long[] gates = new long[SCANS];
    for (int i = 0; i < SCANS; i++) {
      long start = System.nanoTime();
      SbomReader.Sbom read = SbomReader.read(sbom);
      reads[i] = System.nanoTime() - start;
      start = System.nanoTime();
      List<Candidate> candidates = advisories.candidatesFor(read.packages()).await().atMost(AWAIT);
      rows[i] = System.nanoTime() - start;
      start = System.nanoTime();
      List<MatchedFinding> matched = Matcher.match(read.packages(), candidates);
      matches[i] = System.nanoTime() - start;
      start = System.nanoTime();
      PolicyGate.evaluate(
          matched, read.components(), policy, List.of(), LocalDate.now(ZoneOffset.UTC));
      gates[i] = System.nanoTime() - start;
    }
    System.out.printf(
        "BENCH scan phases, p99 (median) over %d runs each: SBOM read %.1f (%.1f) ms, candidate"
            + " lookup and rows %.1f (%.1f) ms, matching %.1f (%.1f) ms, policy gate %.1f (%.1f)"
            + " ms%n",
        SCANS,
        p99Millis(reads),
        medianMillis(reads),
        p99Millis(rows),
        medianMillis(rows),
        p99Millis(matches),
        medianMillis(matches),
        p99Millis(gates),
        medianMillis(gates));

    double p99 = p99Millis(scans);
    double rawP99 = p99Millis(lookups);
    System.out.printf(
        "BENCH scan: %d components (%d matched against the database), %d findings; p99 over %d"
            + " scans (after 5 warm-up scans) %.1f ms (median %.1f ms); raw limit (the bare SQL lookup of the same"
            + " packages) p99 %.1f ms; ratio %.1fx%n",
        SBOM_COMPONENTS,
        outcome.packages().size(),
        outcome.gate().findings().size(),
        SCANS,
        p99,
        medianMillis(scans),
        rawP99,
        p99 / rawP99);
  }

  @Test
  @Order(3)
  void exposureOver1000DeployedDigests() {
    Random random = new Random(1000);
    // The package of one generated Maven advisory, deployed in about a third of the digests.
    String hot = name(Ecosystem.MAVEN, 7);
    List<Tuple> deployments = new ArrayList<>();
    List<Tuple> components = new ArrayList<>();
    for (int d = 0; d < DIGESTS; d++) {
      String digest = "sha256:bench" + String.format("%059d", d);
      deployments.add(
          Tuple.from(
              Arrays.asList(
                  "bench-app-" + (d / 3),
                  "env-" + (d % 3),
                  "local",
                  "ns",
                  "img",
                  digest,
                  1L,
                  "e" + d)));
      String hotVersion = d % 3 == 0 ? "1.0." + d % 20 : "99.0.0";
      components.add(
          Tuple.of(
              digest,
              "Maven",
              hot,
              hotVersion,
              "pkg:maven/" + hot.replace(':', '/') + "@" + d,
              hotVersion));
      for (int c = 1; c < COMPONENTS_PER_DIGEST; c++) {
        Ecosystem e = ECOSYSTEMS[random.nextInt(ECOSYSTEMS.length)];
        int n = random.nextInt(PACKAGES_PER_ECOSYSTEM);
        String version = (c % 3) + ".0." + c % 20;
        components.add(
            Tuple.of(
                digest,
                e.osvName(),
                name(e, n),
                e == Ecosystem.GO ? "v" + version : version,
                "pkg:bench/" + d + "/" + c,
                e == Ecosystem.GO ? "v" + version : version));
      }
    }
    pool.preparedQuery(
            """
            INSERT INTO deployments (application, environment, cluster, namespace, image, digest,
                                     revision, event_id, since)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) ON CONFLICT DO NOTHING
            """)
        .executeBatch(deployments)
        .await()
        .atMost(AWAIT);
    pool.preparedQuery(
            """
            INSERT INTO image_components (image_digest, ecosystem, name, version, purl,
                                          match_version)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """)
        .executeBatch(components)
        .await()
        .atMost(AWAIT);
    String advisory =
        pool.preparedQuery(
                "SELECT advisory_id FROM affected WHERE ecosystem = 'Maven' AND name = $1 LIMIT 1")
            .execute(Tuple.of(hot))
            .await()
            .atMost(AWAIT)
            .iterator()
            .next()
            .getString(0);

    int exposed =
        exposure.ofVulnerability(advisory).await().atMost(AWAIT).orElseThrow().exposures().size();
    long[] queries = new long[EXPOSURE_QUERIES];
    long[] joins = new long[EXPOSURE_QUERIES];
    for (int i = 0; i < EXPOSURE_QUERIES; i++) {
      long start = System.nanoTime();
      exposure.ofVulnerability(advisory).await().atMost(AWAIT);
      queries[i] = System.nanoTime() - start;
      start = System.nanoTime();
      pool.preparedQuery(
              """
              SELECT d.application, d.environment, c.version FROM deployments d
              JOIN image_components c ON c.image_digest = d.digest
              WHERE c.ecosystem = 'Maven' AND c.name = $1 COLLATE "C"
              """)
          .execute(Tuple.of(hot))
          .await()
          .atMost(AWAIT);
      joins[i] = System.nanoTime() - start;
    }
    double p99 = p99Millis(queries);
    double rawP99 = p99Millis(joins);
    System.out.printf(
        "BENCH exposure: %s over %d deployed digests (%d components): %d exposed; p99 over %d"
            + " queries %.1f ms (median %.1f ms); raw limit (the bare SQL join) p99 %.1f ms; ratio"
            + " %.1fx%n",
        advisory,
        DIGESTS,
        components.size(),
        exposed,
        EXPOSURE_QUERIES,
        p99,
        medianMillis(queries),
        rawP99,
        p99 / rawP99);
  }

  @Test
  @Order(4)
  void reevaluationOf1000RunningDigestsAfter1000ChangedAdvisories() throws IOException {
    // 1,000 of the generated advisories modified again (newer `modified`, one more range), all on
    // packages the 1,000 running digests of the previous test carry.
    Random random = new Random(30);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> ids = new ArrayList<>();
    try (ZipOutputStream changed = new ZipOutputStream(out);
        ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      int taken = 0;
      for (ZipEntry e = in.getNextEntry(); e != null && taken < CHANGED; e = in.getNextEntry()) {
        ObjectNode doc = (ObjectNode) EventJson.mapper().readTree(in.readAllBytes());
        if (random.nextInt(100) >= 2) {
          continue;
        }
        doc.put("modified", "2025-06-01T12:00:00Z");
        ObjectNode entry = ((ArrayNode) doc.get("affected")).addObject();
        entry.set("package", doc.at("/affected/0/package").deepCopy());
        ArrayNode events =
            entry.putArray("ranges").addObject().put("type", "ECOSYSTEM").putArray("events");
        events.addObject().put("introduced", "1.0.0");
        events.addObject().put("fixed", "1.0.30");
        changed.putNextEntry(new ZipEntry(e.getName()));
        changed.write(EventJson.writePayload(doc));
        changed.closeEntry();
        ids.add(doc.get("id").asText());
        taken++;
      }
    }
    long start = System.nanoTime();
    ImportReport report = importer.importZip(new ByteArrayInputStream(out.toByteArray()));
    long imported = System.nanoTime();
    assertThat(report.updated()).isEqualTo(CHANGED);
    org.awaitility.Awaitility.await()
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                pool.query(
                            "SELECT count(*) AS open FROM reevaluations WHERE status IN ('QUEUED',"
                                + " 'RUNNING')")
                        .execute()
                        .await()
                        .atMost(AWAIT)
                        .iterator()
                        .next()
                        .getLong("open")
                    == 0);
    long reevaluated = System.nanoTime();
    var run =
        pool.query("SELECT found, status FROM reevaluations ORDER BY created_at DESC LIMIT 1")
            .execute()
            .await()
            .atMost(AWAIT)
            .iterator()
            .next();

    // Raw limit: the bare SQL of the same work, the changed advisories' entries and the running
    // components they name.
    long rawStart = System.nanoTime();
    pool.preparedQuery(
            """
            SELECT d.application, d.environment, c.purl, c.match_version, a.ranges::text
            FROM affected a
            JOIN image_components c ON c.ecosystem = a.ecosystem AND c.name = a.name
            JOIN deployments d ON d.digest = c.image_digest
            WHERE a.advisory_id = ANY($1)
            """)
        .execute(Tuple.of((Object) ids.toArray(String[]::new)))
        .await()
        .atMost(AWAIT);
    double raw = (System.nanoTime() - rawStart) / 1e9;
    double seconds = (reevaluated - imported) / 1e9;
    System.out.printf(
        "BENCH re-evaluation: %d changed advisories imported in %.1f s; %d running digests"
            + " re-matched in %.2f s (%s, %d new findings at or above policy announced); raw limit"
            + " (the bare SQL join of the changed entries with the running components) %.2f s;"
            + " ratio %.1fx%n",
        CHANGED,
        (imported - start) / 1e9,
        DIGESTS,
        seconds,
        run.getString("status"),
        run.getInteger("found"),
        raw,
        seconds / raw);
  }

  /** 100,000 advisories in the shapes of GitHub's: a zip of OSV files. */
  private static byte[] generatedZip(Random random) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (int i = 0; i < ADVISORIES; i++) {
        Ecosystem ecosystem = ECOSYSTEMS[i % ECOSYSTEMS.length];
        int pkg = (i / ECOSYSTEMS.length) % PACKAGES_PER_ECOSYSTEM;
        String id = String.format("GHSA-bnch-%04x-%04x", i >> 16, i & 0xffff);
        ObjectNode doc = EventJson.mapper().createObjectNode();
        doc.put("schema_version", "1.4.0")
            .put("id", id)
            .put("modified", "2024-0" + (1 + i % 9) + "-1" + (i % 9) + "T12:00:00Z")
            .put("published", "2023-01-01T00:00:00Z");
        doc.putArray("aliases").add(String.format("CVE-2024-%05d", i));
        doc.put("summary", "Generated advisory " + i + " in " + name(ecosystem, pkg));
        doc.put("details", "A generated advisory shaped like GitHub's, for the benchmark.");
        doc.putArray("severity")
            .addObject()
            .put("type", VECTORS[i % VECTORS.length].startsWith("CVSS:4") ? "CVSS_V4" : "CVSS_V3")
            .put("score", VECTORS[i % VECTORS.length]);
        ArrayNode affected = doc.putArray("affected");
        int ranges = 1 + random.nextInt(3);
        for (int r = 0; r < ranges; r++) {
          ObjectNode entry = affected.addObject();
          entry
              .putObject("package")
              .put("ecosystem", ecosystem.osvName())
              .put("name", name(ecosystem, pkg));
          ArrayNode events =
              entry.putArray("ranges").addObject().put("type", "ECOSYSTEM").putArray("events");
          events.addObject().put("introduced", r == 0 ? "0" : r + ".0.0");
          if (random.nextInt(10) == 0) {
            events.addObject().put("last_affected", r + ".0." + (5 + random.nextInt(10)));
          } else {
            events.addObject().put("fixed", r + ".0." + (5 + random.nextInt(10)));
          }
        }
        doc.putArray("references")
            .addObject()
            .put("type", "ADVISORY")
            .put("url", "https://example.org/" + id);
        doc.putObject("database_specific").put("severity", "HIGH").put("github_reviewed", true);
        zip.putNextEntry(new ZipEntry("advisories/" + id + "/" + id + ".json"));
        zip.write(EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  private static String name(Ecosystem ecosystem, int n) {
    return switch (ecosystem) {
      case MAVEN -> "org.bench" + n % 50 + ":artifact-" + n;
      case GO -> "github.com/bench" + n % 50 + "/module-" + n;
      case PYPI -> "bench-py-" + n;
      default -> "bench-js-" + n;
    };
  }

  private static String purl(Ecosystem ecosystem, int n, Random random) {
    String version = random.nextInt(3) + ".0." + random.nextInt(20);
    return switch (ecosystem) {
      case MAVEN -> "pkg:maven/org.bench" + n % 50 + "/artifact-" + n + "@" + version;
      case GO -> "pkg:golang/github.com/bench" + n % 50 + "/module-" + n + "@v" + version;
      case PYPI -> "pkg:pypi/bench-py-" + n + "@" + version;
      default -> "pkg:npm/bench-js-" + n + "@" + version;
    };
  }

  private static double p99Millis(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6;
  }

  private static double medianMillis(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2] / 1e6;
  }
}
