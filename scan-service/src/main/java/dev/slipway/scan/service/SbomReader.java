package dev.slipway.scan.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.packageurl.MalformedPackageURLException;
import dev.slipway.events.EventJson;
import dev.slipway.problem.InvalidInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.parsers.JsonParser;

/**
 * Reads a CycloneDX JSON SBOM with cyclonedx-core-java into the components matching needs: every
 * component (nested ones too) with a package URL of a known ecosystem, once per purl, and its
 * licences. Components without a purl, or of an ecosystem scan-service does not know, are counted.
 */
public final class SbomReader {

  private SbomReader() {}

  /**
   * The components of {@code json}.
   *
   * @throws SbomFormatException when it is no CycloneDX JSON document
   */
  public static Sbom read(byte[] json) {
    JsonNode tree;
    try {
      tree = EventJson.mapper().readTree(json);
    } catch (IOException e) {
      throw new SbomFormatException("the SBOM is not JSON: " + e.getMessage());
    }
    if (tree == null || !tree.isObject() || !"CycloneDX".equals(tree.path("bomFormat").asText())) {
      throw new SbomFormatException("the SBOM is not a CycloneDX JSON document (bomFormat)");
    }
    Bom bom;
    try {
      bom = new JsonParser().parse(json);
    } catch (ParseException | RuntimeException e) {
      throw new SbomFormatException("the CycloneDX SBOM cannot be read: " + e.getMessage());
    }
    Map<String, dev.slipway.scan.service.Component> byPurl = new LinkedHashMap<>();
    int[] unmatched = {0};
    walk(bom.getComponents(), byPurl, unmatched);
    return new Sbom(List.copyOf(byPurl.values()), unmatched[0], bom.getSpecVersion());
  }

  private static void walk(
      List<Component> components,
      Map<String, dev.slipway.scan.service.Component> byPurl,
      int[] unmatched) {
    if (components == null) {
      return;
    }
    for (Component component : components) {
      String purl = component.getPurl();
      if (purl == null || purl.isBlank()) {
        unmatched[0]++;
      } else if (!byPurl.containsKey(purl)) {
        try {
          var known = dev.slipway.scan.service.Component.of(purl, licenses(component));
          if (known.isPresent()) {
            byPurl.put(purl, known.get());
          } else {
            unmatched[0]++;
          }
        } catch (MalformedPackageURLException e) {
          unmatched[0]++;
        }
      }
      walk(component.getComponents(), byPurl, unmatched);
    }
  }

  private static List<String> licenses(Component component) {
    List<String> result = new ArrayList<>();
    LicenseChoice choice = component.getLicenses();
    if (choice == null) {
      return result;
    }
    if (choice.getExpression() != null && choice.getExpression().getValue() != null) {
      result.add(choice.getExpression().getValue());
    }
    if (choice.getLicenses() != null) {
      for (License license : choice.getLicenses()) {
        if (license.getId() != null) {
          result.add(license.getId());
        } else if (license.getName() != null) {
          result.add(license.getName());
        }
      }
    }
    return result;
  }

  /**
   * What an SBOM holds for matching.
   *
   * @param components the components matching can look up, once per purl
   * @param unmatched components without a purl or of an unknown ecosystem
   * @param specVersion the CycloneDX version the document declares
   */
  public record Sbom(
      List<dev.slipway.scan.service.Component> components, int unmatched, String specVersion) {}

  /** A document that is no readable CycloneDX JSON SBOM: 400 naming {@code sbom} in the API. */
  public static final class SbomFormatException extends InvalidInputException {
    public SbomFormatException(String message) {
      super(message, "sbom");
    }
  }
}
