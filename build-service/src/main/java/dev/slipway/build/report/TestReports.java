package dev.slipway.build.report;

import dev.slipway.build.workspace.RepositoryPaths;
import dev.slipway.events.BuildDone.TestCounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Test counts from the JUnit XML reports the steps wrote ({@code <testsuite tests failures errors
 * skipped>}, also inside {@code <testsuites>}); a report that cannot be read is skipped. External
 * entities are refused: a report is repository-controlled input; a report that is a link leaving
 * the checkout is refused (the walk never follows links; one inside the checkout is read).
 */
public final class TestReports {

  /**
   * Sums the reports under the application's folder matching any of {@code globs} (relative to it).
   */
  public TestCounts count(RepositoryPaths paths, List<String> globs) {
    Path workspace = paths.base();
    List<PathMatcher> matchers =
        globs.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
    int tests = 0;
    int failed = 0;
    int skipped = 0;
    try (Stream<Path> files = Files.walk(workspace)) {
      for (Path file :
          files
              .filter(
                  f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(f))
              .toList()) {
        Path relative = workspace.relativize(file);
        if (relative.startsWith(".git")
            || matchers.stream().noneMatch(m -> m.matches(relative) || m.matches(file))) {
          continue;
        }
        Path real = paths.checkFound(file, new RepositoryPaths.Field("reports: " + relative, 0));
        if (!Files.isRegularFile(real)) {
          continue;
        }
        int[] counts = read(real);
        tests += counts[0];
        failed += counts[1];
        skipped += counts[2];
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TestCounts(Math.max(0, tests - failed - skipped), failed, skipped);
  }

  private static int[] read(Path file) {
    try {
      DocumentBuilder builder = factory().newDocumentBuilder();
      var document = builder.parse(file.toFile());
      NodeList suites = document.getElementsByTagName("testsuite");
      int[] counts = new int[3];
      for (int i = 0; i < suites.getLength(); i++) {
        Element suite = (Element) suites.item(i);
        counts[0] += number(suite, "tests");
        counts[1] += number(suite, "failures") + number(suite, "errors");
        counts[2] += number(suite, "skipped");
      }
      return counts;
    } catch (ParserConfigurationException | SAXException | IOException e) {
      return new int[3];
    }
  }

  private static DocumentBuilderFactory factory() throws ParserConfigurationException {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    factory.setExpandEntityReferences(false);
    return factory;
  }

  private static int number(Element element, String attribute) {
    String value = element.getAttribute(attribute);
    try {
      return value.isEmpty() ? 0 : (int) Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
