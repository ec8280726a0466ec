package dev.slipway.build.sbom;

import dev.slipway.build.workspace.RepositoryPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

  /**
   * Reads the SBOM the build wrote at {@code path} (its real path inside the checkout, checked by
   * the caller; {@code file} as {@code .slipway.yaml} names it); it must be CycloneDX JSON.
   */
  public Sbom own(Path path, String file) {
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
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

  /**
   * Generates an SBOM of {@code application} at {@code version} from the lockfiles under {@code
   * directory} (the application's folder of the checkout: in a monorepo, only its own); a lockfile
   * that is a link leaving the checkout is refused.
   */
  public Sbom generate(
      RepositoryPaths paths, Path directory, String application, String version, String serial) {
    Map<String, LockfileReader.Package> packages = new LinkedHashMap<>();
    List<String> sources = new ArrayList<>();
    Path workspace = paths.root();
    for (Lockfile lockfile : lockfiles(paths, directory)) {
      try {
        List<LockfileReader.Package> found = reader.read(lockfile.real());
        sources.add(workspace.relativize(lockfile.found()).toString());
        found.forEach(p -> packages.putIfAbsent(p.purl(), p));
      } catch (IOException | RuntimeException e) {
        throw new SbomException(
            "cannot read " + workspace.relativize(lockfile.found()) + ": " + e.getMessage());
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

  /** A lockfile found by walking, and the real path read. */
  private record Lockfile(Path found, Path real) {}

  private static List<Lockfile> lockfiles(RepositoryPaths paths, Path workspace) {
    List<Lockfile> found = new ArrayList<>();
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
              if (!LockfileReader.FILE_NAMES.contains(file.getFileName().toString())) {
                return FileVisitResult.CONTINUE;
              }
              if (attrs.isRegularFile()) {
                found.add(new Lockfile(file, file));
              } else if (attrs.isSymbolicLink()) {
                Path real =
                    paths.checkFound(
                        file,
                        new RepositoryPaths.Field("lockfile " + paths.root().relativize(file), 0));
                if (Files.isRegularFile(real)) {
                  found.add(new Lockfile(file, real));
                }
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    found.sort(java.util.Comparator.comparing(Lockfile::found));
    return found;
  }

  /** The SBOM could not be made. */
  public static class SbomException extends RuntimeException {
    public SbomException(String message) {
      super(message);
    }
  }
}
