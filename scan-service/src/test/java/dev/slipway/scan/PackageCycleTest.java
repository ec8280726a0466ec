package dev.slipway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package skeleton holds: no cycle between scan-service's packages, and the domain packages
 * (the OSV schema, version orders, SBOM reading, matching, the policy gate) import no role package,
 * so they stay a library the services and tests use alike.
 */
class PackageCycleTest {

  private static final Path SOURCES = Path.of("src", "main", "java", "dev", "slipway", "scan");
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?dev\\.slipway\\.scan\\.([a-z]+)\\.", Pattern.MULTILINE);
  private static final Pattern ROOT_IMPORT =
      Pattern.compile("^import dev\\.slipway\\.scan\\.[A-Z]", Pattern.MULTILINE);
  private static final Set<String> DOMAIN = Set.of("osv", "version", "sbom", "match", "policy");
  private static final Set<String> ROLES =
      Set.of("config", "messaging", "repository", "rest", "service", "health", "client");

  @Test
  void packagesFormNoCycle() throws IOException {
    Map<String, Set<String>> graph = graph();
    assertThat(graph.keySet()).containsAll(DOMAIN).containsAll(ROLES);
    List<List<String>> cycles = new ArrayList<>();
    for (String start : graph.keySet()) {
      findCycle(graph, start, new ArrayList<>(List.of(start)), cycles);
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  @Test
  void domainPackagesImportNoRolePackage() throws IOException {
    Map<String, Set<String>> graph = graph();
    for (String domain : DOMAIN) {
      assertThat(graph.get(domain)).as(domain).doesNotContainAnyElementsOf(ROLES);
      assertThat(graph.get(domain)).as(domain + " -> the root package").doesNotContain("(root)");
    }
  }

  private static void findCycle(
      Map<String, Set<String>> graph, String at, List<String> path, List<List<String>> cycles) {
    for (String next : graph.getOrDefault(at, Set.of())) {
      if (next.equals(path.get(0))) {
        List<String> cycle = new ArrayList<>(path);
        cycle.add(next);
        cycles.add(cycle);
      } else if (!path.contains(next) && next.compareTo(path.get(0)) > 0) {
        path.add(next);
        findCycle(graph, next, path, cycles);
        path.remove(path.size() - 1);
      }
    }
  }

  /** Package -> the packages its files import ("(root)" for dev.slipway.scan itself). */
  private static Map<String, Set<String>> graph() throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path folder = SOURCES.relativize(file.getParent());
        String pkg = folder.toString().isEmpty() ? "(root)" : folder.getName(0).toString();
        String source = Files.readString(file);
        Set<String> imports = graph.computeIfAbsent(pkg, k -> new LinkedHashSet<>());
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
          if (!m.group(1).equals(pkg)) {
            imports.add(m.group(1));
          }
        }
        if (!pkg.equals("(root)") && ROOT_IMPORT.matcher(source).find()) {
          imports.add("(root)");
        }
      }
    }
    return graph;
  }
}
