package dev.slipway.scan.match;

import dev.slipway.events.Severity;
import dev.slipway.scan.osv.AffectedPackage;
import dev.slipway.scan.osv.Ecosystem;
import dev.slipway.scan.sbom.InstalledPackage;
import dev.slipway.scan.version.VersionOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Matches packages against loaded advisory entries: by (ecosystem, name), Go modules covering the
 * package paths below them, OS packages only against entries of their release, each entry's ranges
 * in the ecosystem's version order. Records of one vulnerability on one package (a GHSA and a PYSEC
 * that alias each other or share a CVE) become one finding; records of different vulnerabilities
 * never merge, not even through a third record that names both.
 */
public final class Matcher {

  private static final Pattern GO_MAJOR_SUFFIX = Pattern.compile("^v[0-9]+(/.*)?$");

  private Matcher() {}

  /** The findings of {@code packages} among {@code candidates}. */
  public static List<MatchedFinding> match(
      List<InstalledPackage> packages, List<Candidate> candidates) {
    Map<String, List<Candidate>> byPackage = new HashMap<>();
    for (Candidate candidate : candidates) {
      AffectedPackage affected = candidate.affected();
      if (candidate.module() != null && !coversPackage(candidate.module(), affected.name())) {
        continue;
      }
      String name = candidate.module() != null ? candidate.module() : affected.name();
      byPackage
          .computeIfAbsent(
              key(Ecosystem.baseName(affected.ecosystem()), name), k -> new ArrayList<>())
          .add(candidate);
    }
    List<MatchedFinding> findings = new ArrayList<>();
    for (InstalledPackage pkg : packages) {
      List<Candidate> rows = new ArrayList<>(lookup(byPackage, pkg, pkg.name()));
      if (pkg.alternateName() != null) {
        rows.addAll(lookup(byPackage, pkg, pkg.alternateName()));
      }
      List<Hit> hits = new ArrayList<>();
      for (Candidate row : rows) {
        if (row.release() != null
            && pkg.release() != null
            && !row.release().equals(pkg.release())) {
          continue;
        }
        Optional<AffectedPackage.Match> match = row.affected().match(pkg.version());
        match.ifPresent(m -> hits.add(new Hit(row, m.fixedVersion())));
      }
      findings.addAll(merge(pkg, hits));
    }
    return findings;
  }

  private static List<Candidate> lookup(
      Map<String, List<Candidate>> byPackage, InstalledPackage pkg, String name) {
    return byPackage.getOrDefault(key(pkg.ecosystem().osvName(), name), List.of());
  }

  /** One finding per vulnerability among the hits on one package. */
  private static List<MatchedFinding> merge(InstalledPackage pkg, List<Hit> hits) {
    hits.sort(Comparator.comparing(h -> h.row().advisoryId(), Matcher::preferredIdOrder));
    List<Group> groups = new ArrayList<>();
    for (Hit hit : hits) {
      Group home = null;
      for (Group group : groups) {
        if (group.accepts(hit)) {
          home = group;
          break;
        }
      }
      if (home == null) {
        home = new Group();
        groups.add(home);
      }
      home.add(hit);
    }
    List<MatchedFinding> findings = new ArrayList<>();
    for (Group group : groups) {
      String id = group.ids.stream().sorted(Matcher::preferredIdOrder).findFirst().orElseThrow();
      Set<String> aliases = new LinkedHashSet<>(group.names);
      aliases.remove(id);
      Severity severity =
          group.hits.stream()
              .map(h -> h.row().severity())
              .max(Comparator.naturalOrder())
              .orElseThrow();
      findings.add(
          new MatchedFinding(
              id,
              aliases.stream().sorted().toList(),
              pkg.purl(),
              pkg.installedVersion(),
              severity,
              lowestFixed(pkg, group.hits)));
    }
    return findings;
  }

  /** The records on one package taken for one vulnerability. */
  private static final class Group {
    private final Set<String> ids = new LinkedHashSet<>();
    private final Set<String> names = new LinkedHashSet<>();
    private final List<Hit> hits = new ArrayList<>();

    /**
     * Whether {@code hit} is a record of this group's vulnerability: the same record (another of
     * its affected entries), or a record that shares an id or alias with the group, as long as the
     * group would not then name two different ids of one database (two CVEs, two GHSAs, two Go
     * vulndb ids, ...): one vulnerability has one id per database, so a record that lists two of
     * them (a third record naming two CVEs) never joins their findings into one.
     */
    boolean accepts(Hit hit) {
      if (ids.contains(hit.row().advisoryId())) {
        return true;
      }
      Set<String> theirs = hit.names();
      if (theirs.stream().noneMatch(names::contains)) {
        return false;
      }
      Set<String> union = new LinkedHashSet<>(names);
      union.addAll(theirs);
      return oneIdPerDatabase(union);
    }

    void add(Hit hit) {
      ids.add(hit.row().advisoryId());
      names.addAll(hit.names());
      hits.add(hit);
    }

    /** Whether no two of {@code names} are different ids of one database (their prefix). */
    static boolean oneIdPerDatabase(Set<String> names) {
      Map<String, String> byDatabase = new HashMap<>();
      for (String name : names) {
        String id = name.toUpperCase(Locale.ROOT);
        int dash = id.indexOf('-');
        String database = dash < 0 ? id : id.substring(0, dash);
        String before = byDatabase.putIfAbsent(database, id);
        if (before != null && !before.equals(id)) {
          return false;
        }
      }
      return true;
    }
  }

  private static String lowestFixed(InstalledPackage pkg, List<Hit> hits) {
    VersionOrder order = pkg.ecosystem().order();
    String lowest = null;
    for (Hit hit : hits) {
      String fixed = hit.fixedVersion();
      if (fixed == null) {
        continue;
      }
      if (lowest == null) {
        lowest = fixed;
        continue;
      }
      try {
        if (order.parse(fixed).compareTo(order.parse(lowest)) < 0) {
          lowest = fixed;
        }
      } catch (IllegalArgumentException e) {
        // A SEMVER range's fix the ecosystem order cannot read: keep the one already chosen.
      }
    }
    return lowest;
  }

  /** GHSA ids first (the id GitHub's database and most users quote), then others by name. */
  static int preferredIdOrder(String a, String b) {
    boolean ga = a.startsWith("GHSA-");
    boolean gb = b.startsWith("GHSA-");
    return ga != gb ? (ga ? -1 : 1) : a.compareTo(b);
  }

  /**
   * Whether a Go package path lies in {@code module} and not in a major-version module below it.
   */
  public static boolean coversPackage(String module, String packagePath) {
    if (!packagePath.startsWith(module + "/")) {
      return false;
    }
    return !GO_MAJOR_SUFFIX.matcher(packagePath.substring(module.length() + 1)).matches();
  }

  private static String key(String ecosystem, String name) {
    return ecosystem + "\u0000" + name;
  }

  private record Hit(Candidate row, String fixedVersion) {
    Set<String> names() {
      Set<String> names = new LinkedHashSet<>();
      names.add(row.advisoryId());
      names.addAll(row.aliases());
      return names;
    }
  }
}
