package dev.slipway.scan.service;

import dev.slipway.events.Severity;
import dev.slipway.scan.match.Candidate;
import dev.slipway.scan.match.MatchedFinding;
import dev.slipway.scan.match.Matcher;
import dev.slipway.scan.osv.Ecosystem;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.AdvisoryRepository.StoredAdvisory;
import dev.slipway.scan.repository.DeploymentRepository;
import dev.slipway.scan.repository.DeploymentRepository.Running;
import dev.slipway.scan.repository.ExposureRepository;
import dev.slipway.scan.repository.ExposureRepository.Found;
import dev.slipway.scan.sbom.InstalledPackage;
import dev.slipway.scan.sbom.PackageUrls;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Answers "where is this vulnerability (or package) running now?": the digests that serve in each
 * application and environment (from deploy.done) joined with the components their scans recorded,
 * matched against the database as it is now, each OS package against its own release's entries.
 * Nothing is cached, so an advisory imported today shows up against last week's release at once.
 * Also lists what re-evaluation newly found on running digests (each announced by a
 * vulnerability.found).
 */
@ApplicationScoped
public class ExposureService {

  private final AdvisoryRepository advisories;
  private final DeploymentRepository deployments;
  private final ExposureRepository exposures;

  public ExposureService(
      AdvisoryRepository advisories,
      DeploymentRepository deployments,
      ExposureRepository exposures) {
    this.advisories = advisories;
    this.deployments = deployments;
    this.exposures = exposures;
  }

  /** Where the vulnerability {@code id} (an OSV id or any alias) runs now; empty if unknown. */
  public Uni<Optional<Exposure>> ofVulnerability(String id) {
    return advisories
        .findByIdOrAlias(id)
        .flatMap(
            found -> {
              if (found.isEmpty()) {
                return Uni.createFrom().item(Optional.empty());
              }
              List<String> ids = found.stream().map(StoredAdvisory::id).toList();
              return advisories
                  .candidatesOf(ids)
                  .flatMap(rows -> runningOf(rows).map(running -> match(running, rows)))
                  .map(exposed -> Optional.of(new Exposure(id, ids, exposed)));
            });
  }

  /**
   * Where the package of {@code purl} runs now (only its version, when the purl has one), and what
   * affects each running version.
   *
   * @throws IllegalArgumentException (as the Uni's failure) when it is no purl of a known ecosystem
   */
  public Uni<Exposure> ofPackage(String purl) {
    InstalledPackage wanted;
    try {
      wanted = PackageUrls.packageOf(purl);
    } catch (IllegalArgumentException e) {
      return Uni.createFrom().failure(e);
    }
    boolean versioned = purl.contains("@") && purl.lastIndexOf('@') > purl.lastIndexOf('/');
    return deployments
        .running(wanted.ecosystem().osvName(), wanted.name())
        .map(
            running ->
                running.stream()
                    .filter(
                        r ->
                            !versioned
                                || wanted.installedVersion().equals(r.pkg().installedVersion()))
                    .toList())
        .flatMap(
            running -> {
              List<InstalledPackage> packages = distinctPackages(running);
              return advisories
                  .candidatesFor(packages)
                  .map(
                      rows -> {
                        Map<String, List<MatchedFinding>> byPurl = byPurl(packages, rows);
                        List<Exposed> exposed = new ArrayList<>();
                        Set<String> ids = new LinkedHashSet<>();
                        for (Running r : running) {
                          List<Vulnerability> vulnerabilities =
                              vulnerabilities(byPurl.getOrDefault(r.pkg().purl(), List.of()));
                          vulnerabilities.forEach(v -> ids.add(v.id()));
                          exposed.add(exposed(r, vulnerabilities));
                        }
                        return new Exposure(purl, List.copyOf(ids), exposed);
                      });
            });
  }

  /** What re-evaluation found on digests that still serve, newest first. */
  public Uni<List<Found>> found(OffsetDateTime afterTime, String afterId, int limit) {
    return exposures.page(afterTime, afterId, limit);
  }

  /** How many such findings there are now. */
  public Uni<ExposureRepository.Totals> totals() {
    return exposures.totals();
  }

  private Uni<List<Running>> runningOf(List<Candidate> rows) {
    Set<String> pairs = new LinkedHashSet<>();
    List<String> ecosystems = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<String> goPaths = new ArrayList<>();
    for (Candidate row : rows) {
      String ecosystem = Ecosystem.baseName(row.affected().ecosystem());
      if (pairs.add(ecosystem + "\u0000" + row.affected().name())) {
        ecosystems.add(ecosystem);
        names.add(row.affected().name());
        if (Ecosystem.GO.osvName().equals(ecosystem)) {
          goPaths.add(row.affected().name());
        }
      }
    }
    if (pairs.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return deployments
        .running(ecosystems, names, goPaths)
        .map(
            list -> {
              Map<String, Running> distinct = new LinkedHashMap<>();
              list.forEach(
                  r ->
                      distinct.put(
                          r.application() + "/" + r.environment() + "/" + r.pkg().purl(), r));
              return List.copyOf(distinct.values());
            });
  }

  private static List<Exposed> match(List<Running> running, List<Candidate> rows) {
    List<InstalledPackage> packages = distinctPackages(running);
    Map<String, List<MatchedFinding>> byPurl = byPurl(packages, moduleAware(rows, packages));
    List<Exposed> exposed = new ArrayList<>();
    for (Running r : running) {
      List<MatchedFinding> findings = byPurl.get(r.pkg().purl());
      if (findings != null) {
        exposed.add(exposed(r, vulnerabilities(findings)));
      }
    }
    exposed.sort(
        java.util.Comparator.comparing(Exposed::application)
            .thenComparing(Exposed::environment)
            .thenComparing(Exposed::purl));
    return exposed;
  }

  private static List<InstalledPackage> distinctPackages(List<Running> running) {
    Map<String, InstalledPackage> packages = new LinkedHashMap<>();
    running.forEach(r -> packages.putIfAbsent(r.pkg().purl(), r.pkg()));
    return List.copyOf(packages.values());
  }

  private static Map<String, List<MatchedFinding>> byPurl(
      List<InstalledPackage> packages, List<Candidate> rows) {
    Map<String, List<MatchedFinding>> byPurl = new LinkedHashMap<>();
    Matcher.match(packages, rows)
        .forEach(f -> byPurl.computeIfAbsent(f.packageUrl(), k -> new ArrayList<>()).add(f));
    return byPurl;
  }

  private static List<Vulnerability> vulnerabilities(List<MatchedFinding> findings) {
    return findings.stream()
        .map(f -> new Vulnerability(f.advisoryId(), f.aliases(), f.severity(), f.fixedVersion()))
        .toList();
  }

  /** Go rows seen from the module a deployed SBOM names, so the matcher pairs them. */
  private static List<Candidate> moduleAware(
      List<Candidate> rows, List<InstalledPackage> packages) {
    List<Candidate> result = new ArrayList<>(rows);
    for (Candidate row : rows) {
      if (!Ecosystem.GO.osvName().equals(Ecosystem.baseName(row.affected().ecosystem()))) {
        continue;
      }
      packages.stream()
          .filter(p -> p.ecosystem() == Ecosystem.GO)
          .map(InstalledPackage::name)
          .filter(module -> Matcher.coversPackage(module, row.affected().name()))
          .distinct()
          .forEach(module -> result.add(row.forModule(module)));
    }
    return result;
  }

  private static Exposed exposed(Running r, List<Vulnerability> vulnerabilities) {
    return new Exposed(
        r.application(),
        r.environment(),
        r.cluster(),
        r.namespace(),
        r.image(),
        r.digest(),
        r.since(),
        r.pkg().purl(),
        r.pkg().installedVersion(),
        r.pkg().release(),
        vulnerabilities);
  }

  /**
   * The answer of an exposure query.
   *
   * @param query the vulnerability id or purl asked about
   * @param advisories the advisories involved
   * @param exposures where an affected (or the asked) component runs now
   */
  public record Exposure(String query, List<String> advisories, List<Exposed> exposures) {}

  /**
   * One running component.
   *
   * @param application the application
   * @param environment the environment
   * @param cluster its cluster
   * @param namespace its namespace
   * @param image the image repository
   * @param digest the digest serving
   * @param since when the deploy.done that put it there happened
   * @param purl the component
   * @param version its version
   * @param release the operating system release of an OS package ({@code 12} for Debian 12); null
   *     for language packages
   * @param vulnerabilities what affects it, with the fixed version
   */
  public record Exposed(
      String application,
      String environment,
      String cluster,
      String namespace,
      String image,
      String digest,
      OffsetDateTime since,
      String purl,
      String version,
      String release,
      List<Vulnerability> vulnerabilities) {}

  /** A vulnerability of a running component. */
  public record Vulnerability(
      String id, List<String> aliases, Severity severity, String fixedVersion) {}
}
