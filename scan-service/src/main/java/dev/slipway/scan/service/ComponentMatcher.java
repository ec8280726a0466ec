package dev.slipway.scan.service;

import dev.slipway.events.Severity;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.repository.AdvisoryRepository.AffectedRow;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Matches SBOM components against the database: one lookup for all components' (ecosystem, name),
 * then each affected entry evaluated in the ecosystem's version order. Advisories of one component
 * that share an id or alias (a GHSA and a PYSEC naming the same CVE) become one finding.
 */
@ApplicationScoped
public class ComponentMatcher {

  private static final Pattern GO_MAJOR_SUFFIX = Pattern.compile("^v[0-9]+(/.*)?$");

  private final AdvisoryRepository advisories;

  public ComponentMatcher(AdvisoryRepository advisories) {
    this.advisories = advisories;
  }

  /** The findings of {@code components}. */
  public Uni<List<MatchedFinding>> match(List<Component> components) {
    if (components.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return advisories.affectedFor(components).map(rows -> match(components, rows));
  }

  /** Matches components against already loaded affected rows. */
  public static List<MatchedFinding> match(List<Component> components, List<AffectedRow> rows) {
    Map<String, List<AffectedRow>> byPackage = new HashMap<>();
    for (AffectedRow row : rows) {
      String key =
          row.module() != null
              ? key(Ecosystem.GO.osvName(), row.module())
              : key(Ecosystem.baseName(row.affected().ecosystem()), row.affected().name());
      if (row.module() != null && !coversPackage(row.module(), row.affected().name())) {
        continue;
      }
      byPackage.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }
    List<MatchedFinding> findings = new ArrayList<>();
    for (Component component : components) {
      List<AffectedRow> candidates =
          byPackage.getOrDefault(key(component.ecosystem().osvName(), component.name()), List.of());
      List<Hit> hits = new ArrayList<>();
      for (AffectedRow row : candidates) {
        if (row.release() != null
            && component.release() != null
            && !row.release().equals(component.release())) {
          continue;
        }
        Optional<AffectedPackage.Match> match = row.affected().match(component.version());
        match.ifPresent(m -> hits.add(new Hit(row, m.fixedVersion())));
      }
      findings.addAll(merge(component, hits));
    }
    return findings;
  }

  /**
   * Merges hits on one component whose advisories share an id or alias: one finding under the
   * lowest-sorting advisory id (GHSA before PYSEC), every other id an alias, the highest severity,
   * and the lowest fixed version above the installed one.
   */
  private static List<MatchedFinding> merge(Component component, List<Hit> hits) {
    List<Set<String>> groups = new ArrayList<>();
    List<List<Hit>> members = new ArrayList<>();
    for (Hit hit : hits) {
      Set<String> names = new LinkedHashSet<>();
      names.add(hit.row().advisoryId());
      names.addAll(hit.row().aliases());
      List<Hit> joined = new ArrayList<>(List.of(hit));
      for (int i = groups.size() - 1; i >= 0; i--) {
        if (groups.get(i).stream().anyMatch(names::contains)) {
          names.addAll(groups.remove(i));
          joined.addAll(members.remove(i));
        }
      }
      groups.add(names);
      members.add(joined);
    }
    List<MatchedFinding> findings = new ArrayList<>();
    for (List<Hit> group : members) {
      Set<String> ids = new LinkedHashSet<>();
      group.stream()
          .map(h -> h.row().advisoryId())
          .sorted(ComponentMatcher::preferredIdOrder)
          .forEach(ids::add);
      String id = ids.iterator().next();
      Set<String> aliases = new LinkedHashSet<>(ids);
      group.forEach(h -> aliases.addAll(h.row().aliases()));
      aliases.remove(id);
      Severity severity =
          group.stream().map(h -> h.row().severity()).max(Comparator.naturalOrder()).orElseThrow();
      String fixed = lowestFixed(component, group);
      findings.add(
          new MatchedFinding(
              id,
              aliases.stream().sorted().toList(),
              component.purl(),
              component.version(),
              severity,
              fixed));
    }
    return findings;
  }

  private static String lowestFixed(Component component, List<Hit> group) {
    Optional<VersionOrder> order = component.ecosystem().order();
    String lowest = null;
    for (Hit hit : group) {
      String fixed = hit.fixedVersion();
      if (fixed == null) {
        continue;
      }
      if (lowest == null) {
        lowest = fixed;
      } else if (order.isPresent()) {
        try {
          if (order.get().parse(fixed).compareTo(order.get().parse(lowest)) < 0) {
            lowest = fixed;
          }
        } catch (IllegalArgumentException e) {
          // Keep the one already chosen.
        }
      }
    }
    return lowest;
  }

  /** GHSA ids first (the id GitHub's database and the issue use), then others by name. */
  private static int preferredIdOrder(String a, String b) {
    boolean ga = a.startsWith("GHSA-");
    boolean gb = b.startsWith("GHSA-");
    return ga != gb ? (ga ? -1 : 1) : a.compareTo(b);
  }

  /**
   * Whether a Go package path lies in {@code module} and not in a major-version module below it.
   */
  static boolean coversPackage(String module, String packagePath) {
    if (!packagePath.startsWith(module + "/")) {
      return false;
    }
    return !GO_MAJOR_SUFFIX.matcher(packagePath.substring(module.length() + 1)).matches();
  }

  private static String key(String ecosystem, String name) {
    return ecosystem + "\u0000" + name;
  }

  private record Hit(AffectedRow row, String fixedVersion) {}
}
