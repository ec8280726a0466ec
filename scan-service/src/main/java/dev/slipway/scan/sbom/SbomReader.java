package dev.slipway.scan.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Property;
import org.cyclonedx.parsers.JsonParser;

/**
 * Reads a CycloneDX JSON SBOM with cyclonedx-core-java: every component (nested ones too) with its
 * licences, for the licence policy; the packages advisories can name, once per purl, for matching;
 * and every component that cannot be matched with the reason, so none is dropped silently.
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
    Walk walk = new Walk();
    walk.components(bom.getComponents());
    return new Sbom(
        List.copyOf(walk.components),
        List.copyOf(walk.packages.values()),
        List.copyOf(walk.unmatched.values()),
        bom.getSpecVersion());
  }

  /** One pass over the component tree. */
  private static final class Walk {
    private final List<SbomComponent> components = new ArrayList<>();
    private final Map<String, InstalledPackage> packages = new LinkedHashMap<>();
    private final Map<String, Unmatched> unmatched = new LinkedHashMap<>();
    private final Set<String> seen = new LinkedHashSet<>();

    void components(List<Component> list) {
      if (list == null) {
        return;
      }
      for (Component component : list) {
        add(component);
        components(component.getComponents());
      }
    }

    private void add(Component component) {
      String purl =
          component.getPurl() == null || component.getPurl().isBlank()
              ? null
              : component.getPurl().trim();
      SbomComponent listed =
          new SbomComponent(purl, component.getName(), component.getVersion(), licenses(component));
      if (!seen.add(purl != null ? purl : "\u0000" + listed.label())) {
        return;
      }
      components.add(listed);
      if (purl == null) {
        unmatched.put(listed.label(), new Unmatched(listed.label(), "no package URL"));
        return;
      }
      PackageUrls.Resolution resolution = PackageUrls.resolve(purl, properties(component));
      if (resolution instanceof PackageUrls.Resolved resolved) {
        packages.put(purl, resolved.pkg());
      } else if (resolution instanceof PackageUrls.Refused refused) {
        unmatched.put(purl, new Unmatched(purl, refused.reason()));
      }
    }
  }

  private static Map<String, String> properties(Component component) {
    Map<String, String> result = new HashMap<>();
    if (component.getProperties() != null) {
      for (Property property : component.getProperties()) {
        if (property.getName() != null && property.getValue() != null) {
          result.putIfAbsent(property.getName(), property.getValue());
        }
      }
    }
    return result;
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
   * What an SBOM holds.
   *
   * @param components every component, once, for the licence policy
   * @param packages the components matching can look up, once per purl
   * @param unmatched the components that cannot be matched, with the reason
   * @param specVersion the CycloneDX version the document declares
   */
  public record Sbom(
      List<SbomComponent> components,
      List<InstalledPackage> packages,
      List<Unmatched> unmatched,
      String specVersion) {}

  /** A document that is no readable CycloneDX JSON SBOM. */
  public static final class SbomFormatException extends RuntimeException {
    public SbomFormatException(String message) {
      super(message);
    }
  }
}
