package dev.slipway.build.sbom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.parsers.JsonParser;

/**
 * The CycloneDX (1.6) JSON SBOM of a build: the one its steps wrote when {@code .slipway.yaml}
 * names it (checked to be CycloneDX JSON), otherwise one generated from the lockfiles found in the
 * workspace, each package once with its purl.
 */
public final class SbomGenerator {

  /** The CycloneDX version Slipway writes. */
  public static final Version VERSION = Version.VERSION_16;

  private static final Set<String> SKIPPED_DIRS =
      Set.of(".git", "node_modules", ".venv", "venv", "__pycache__", ".slipway");
  private static final int MAX_DEPTH = 8;

  private final LockfileReader reader = new LockfileReader();

  /**
   * An SBOM.
   *
   * @param json CycloneDX JSON
   * @param components how many components it lists
   * @param sources the lockfiles read (relative), or the build's own file
   */
  public record Sbom(byte[] json, int components, List<String> sources) {}

  /** Reads the SBOM the build wrote at {@code file}; it must be CycloneDX JSON. */
  public Sbom own(Path workspace, String file) {
    Path path = workspace.resolve(file).normalize();
    if (!path.startsWith(workspace) || !Files.isRegularFile(path)) {
      throw new SbomException("sbom: " + file + " was not written by the steps");
    }
    try {
      byte[] json = Files.readAllBytes(path);
      Bom bom = new JsonParser().parse(json);
      int components = bom.getComponents() == null ? 0 : bom.getComponents().size();
      return new Sbom(json, components, List.of(file));
    } catch (ParseException e) {
      throw new SbomException("sbom: " + file + " is not CycloneDX JSON: " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Generates an SBOM of {@code application} at {@code version} from the workspace's lockfiles. */
  public Sbom generate(Path workspace, String application, String version, String serial) {
    Map<String, LockfileReader.Package> packages = new LinkedHashMap<>();
    List<String> sources = new ArrayList<>();
    for (Path lockfile : lockfiles(workspace)) {
      try {
        List<LockfileReader.Package> found = reader.read(lockfile);
        sources.add(workspace.relativize(lockfile).toString());
        found.forEach(p -> packages.putIfAbsent(p.purl(), p));
      } catch (IOException | RuntimeException e) {
        throw new SbomException(
            "cannot read " + workspace.relativize(lockfile) + ": " + e.getMessage());
      }
    }
    Bom bom = new Bom();
    bom.setSerialNumber(
        "urn:uuid:" + UUID.nameUUIDFromBytes(serial.getBytes(StandardCharsets.UTF_8)));
    Metadata metadata = new Metadata();
    metadata.setTimestamp(new Date());
    Component subject = new Component();
    subject.setType(Component.Type.APPLICATION);
    subject.setName(application);
    subject.setVersion(version);
    subject.setBomRef(application + "@" + version);
    metadata.setComponent(subject);
    bom.setMetadata(metadata);
    List<Component> components = new ArrayList<>();
    for (LockfileReader.Package p : packages.values()) {
      Component component = new Component();
      component.setType(Component.Type.LIBRARY);
      component.setGroup(p.group());
      component.setName(p.name());
      component.setVersion(p.version());
      component.setPurl(p.purl());
      component.setBomRef(p.purl());
      component.setScope(p.development() ? Component.Scope.OPTIONAL : Component.Scope.REQUIRED);
      if (p.license() != null && !p.license().isBlank()) {
        org.cyclonedx.model.LicenseChoice licenses = new org.cyclonedx.model.LicenseChoice();
        org.cyclonedx.model.License license = new org.cyclonedx.model.License();
        if (SpdxIds.isKnown(p.license())) {
          license.setId(p.license());
        } else {
          licenses.setExpression(new org.cyclonedx.model.license.Expression(p.license()));
          license = null;
        }
        if (license != null) {
          licenses.addLicense(license);
        }
        component.setLicenses(licenses);
      }
      components.add(component);
    }
    bom.setComponents(components);
    try {
      String json = BomGeneratorFactory.createJson(VERSION, bom).toJsonString();
      return new Sbom(json.getBytes(StandardCharsets.UTF_8), components.size(), sources);
    } catch (GeneratorException e) {
      throw new SbomException("cannot write the SBOM: " + e.getMessage());
    }
  }

  private static List<Path> lockfiles(Path workspace) {
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(
          workspace,
          Set.of(),
          MAX_DEPTH,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return !dir.equals(workspace) && SKIPPED_DIRS.contains(dir.getFileName().toString())
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile()
                  && LockfileReader.FILE_NAMES.contains(file.getFileName().toString())) {
                found.add(file);
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    found.sort(null);
    return found;
  }

  /** The SBOM could not be made. */
  public static class SbomException extends RuntimeException {
    public SbomException(String message) {
      super(message);
    }
  }
}
