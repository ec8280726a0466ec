package dev.slipway.scan.service;

import com.github.packageurl.MalformedPackageURLException;
import dev.slipway.events.Severity;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.AdvisoryRepository.AffectedRow;
import dev.slipway.scan.repository.AdvisoryRepository.StoredAdvisory;
import dev.slipway.scan.repository.DeploymentRepository;
import dev.slipway.scan.repository.DeploymentRepository.Running;
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
 * matched against the database as it is now. Nothing is cached, so an advisory imported today shows
 * up against last week's release at once.
 */
@ApplicationScoped
public class ExposureService {

  private final AdvisoryRepository advisories;
  private final DeploymentRepository deployments;

  public ExposureService(AdvisoryRepository advisories, DeploymentRepository deployments) {
    this.advisories = advisories;
    this.deployments = deployments;
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
                  .affectedOf(ids)
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
    Component wanted;
    try {
      wanted =
          Component.packageOf(purl)
              .orElseThrow(
                  () -> new IllegalArgumentException("purl type of '" + purl + "' is not matched"));
    } catch (MalformedPackageURLException e) {
      return Uni.createFrom().failure(new IllegalArgumentException(e.getMessage()));
    }
    return deployments
        .running(wanted.ecosystem().osvName(), wanted.name())
        .map(
            running ->
                running.stream()
                    .filter(r -> wanted.version() == null || wanted.version().equals(r.version()))
                    .toList())
        .flatMap(
            running -> {
              List<Component> components =
                  running.stream().map(ExposureService::component).distinct().toList();
              return advisories
                  .affectedFor(components)
                  .map(
                      rows -> {
                        Map<String, List<MatchedFinding>> byPurl = new LinkedHashMap<>();
                        ComponentMatcher.match(components, rows)
                            .forEach(
                                f ->
                                    byPurl
                                        .computeIfAbsent(f.packageUrl(), k -> new ArrayList<>())
                                        .add(f));
                        List<Exposed> exposed = new ArrayList<>();
                        Set<String> ids = new LinkedHashSet<>();
                        for (Running r : running) {
                          List<Vulnerability> vulnerabilities =
                              byPurl.getOrDefault(r.purl(), List.of()).stream()
                                  .map(
                                      f ->
                                          new Vulnerability(
                                              f.advisoryId(),
                                              f.aliases(),
                                              f.severity(),
                                              f.fixedVersion()))
                                  .toList();
                          vulnerabilities.forEach(v -> ids.add(v.id()));
                          exposed.add(exposed(r, vulnerabilities));
                        }
                        return new Exposure(purl, List.copyOf(ids), exposed);
                      });
            });
  }

  private Uni<List<Running>> runningOf(List<AffectedRow> rows) {
    Set<String> packages = new LinkedHashSet<>();
    List<Uni<List<Running>>> lookups = new ArrayList<>();
    for (AffectedRow row : rows) {
      String ecosystem = row.affected().ecosystem();
      String name = row.affected().name();
      if (packages.add(ecosystem + "\u0000" + name)) {
        lookups.add(deployments.running(ecosystem, name));
        if (Ecosystem.GO.osvName().equals(ecosystem)) {
          lookups.add(deployments.runningGoModulesOf(name));
        }
      }
    }
    if (lookups.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return Uni.join()
        .all(lookups)
        .andFailFast()
        .map(
            lists -> {
              Map<String, Running> distinct = new LinkedHashMap<>();
              lists.forEach(
                  list ->
                      list.forEach(
                          r ->
                              distinct.put(
                                  r.application() + "/" + r.environment() + "/" + r.purl(), r)));
              return List.copyOf(distinct.values());
            });
  }

  private static List<Exposed> match(List<Running> running, List<AffectedRow> rows) {
    List<Component> components =
        running.stream().map(ExposureService::component).distinct().toList();
    Map<String, List<MatchedFinding>> byPurl = new LinkedHashMap<>();
    ComponentMatcher.match(components, moduleAware(rows, running))
        .forEach(f -> byPurl.computeIfAbsent(f.packageUrl(), k -> new ArrayList<>()).add(f));
    List<Exposed> exposed = new ArrayList<>();
    for (Running r : running) {
      List<MatchedFinding> findings = byPurl.get(r.purl());
      if (findings != null) {
        exposed.add(
            exposed(
                r,
                findings.stream()
                    .map(
                        f ->
                            new Vulnerability(
                                f.advisoryId(), f.aliases(), f.severity(), f.fixedVersion()))
                    .toList()));
      }
    }
    return exposed;
  }

  /** Go rows seen from the module a deployed SBOM names, so the matcher pairs them. */
  private static List<AffectedRow> moduleAware(List<AffectedRow> rows, List<Running> running) {
    List<AffectedRow> result = new ArrayList<>(rows);
    for (AffectedRow row : rows) {
      if (!Ecosystem.GO.osvName().equals(row.affected().ecosystem())) {
        continue;
      }
      running.stream()
          .filter(r -> Ecosystem.GO.osvName().equals(r.ecosystem()))
          .map(Running::name)
          .filter(module -> ComponentMatcher.coversPackage(module, row.affected().name()))
          .distinct()
          .forEach(
              module ->
                  result.add(
                      new AffectedRow(
                          row.advisoryId(),
                          row.aliases(),
                          row.severity(),
                          row.release(),
                          module,
                          row.affected())));
    }
    return result;
  }

  private static Component component(Running r) {
    return new Component(
        r.purl(),
        Ecosystem.ofOsv(r.ecosystem()).orElseThrow(),
        r.name(),
        r.version(),
        null,
        List.of());
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
        r.purl(),
        r.version(),
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
      List<Vulnerability> vulnerabilities) {}

  /** A vulnerability of a running component. */
  public record Vulnerability(
      String id, List<String> aliases, Severity severity, String fixedVersion) {}
}
