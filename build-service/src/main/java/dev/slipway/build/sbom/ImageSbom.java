package dev.slipway.build.sbom;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.image.json.BuildableManifestTemplate;
import com.google.cloud.tools.jib.image.json.ManifestListTemplate;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.registry.RegistryClient;
import dev.slipway.build.image.OciArtifacts;
import dev.slipway.build.sbom.OsPackageReader.Found;
import dev.slipway.build.sbom.OsPackageReader.OsPackage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Property;
import org.cyclonedx.parsers.JsonParser;

/**
 * Adds the image's operating system packages to its SBOM: reads the pushed image's layers back from
 * the registry through Jib's registry client (manifest, then each layer blob, streamed to a
 * temporary file and read as tar), lets {@link OsPackageReader} find the distro and its packages,
 * and adds each as a component with its package URL and licences (plus the operating system
 * itself), so the scan sees what the base image installed and not only the lockfiles.
 */
public final class ImageSbom {

  /** Largest single file read out of a layer (an rpm database can be tens of MiB). */
  private static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

  private final OciArtifacts registry;

  public ImageSbom(String registry, boolean insecure, Optional<Credential> credential) {
    this.registry = new OciArtifacts(registry, insecure, credential);
  }

  /** The SBOM with the OS packages of {@code repository@digest} added, and what was found. */
  public Result addOsPackages(SbomGenerator.Sbom sbom, String repository, String digest) {
    Found found = read(repository, digest);
    return new Result(add(sbom, found), found);
  }

  /**
   * What adding gave.
   *
   * @param sbom the SBOM with the OS packages
   * @param found the distro, packages and notes
   */
  public record Result(SbomGenerator.Sbom sbom, Found found) {}

  /** The OS packages of {@code repository@digest}, read from the registry. */
  public Found read(String repository, String digest) {
    try {
      return registry.with(
          repository,
          client -> {
            ManifestTemplate manifest = client.pullManifest(digest).getManifest();
            if (manifest instanceof ManifestListTemplate list) {
              List<String> platform = list.getDigestsForPlatform("amd64", "linux");
              if (platform.isEmpty()) {
                throw new SbomGenerator.SbomException(
                    "sbom: the image " + digest + " is an index without a linux/amd64 image");
              }
              manifest = client.pullManifest(platform.get(0)).getManifest();
            }
            if (!(manifest instanceof BuildableManifestTemplate image)) {
              throw new SbomGenerator.SbomException(
                  "sbom: the image " + digest + " has a manifest whose layers cannot be read");
            }
            ImageFiles files = new ImageFiles(OsPackageReader::wanted, MAX_FILE_BYTES);
            for (BuildableManifestTemplate.ContentDescriptorTemplate layer : image.getLayers()) {
              apply(client, layer.getDigest(), files);
            }
            return OsPackageReader.read(files);
          });
    } catch (IOException | RegistryException e) {
      throw new SbomGenerator.SbomException(
          "sbom: cannot read the OS packages of " + digest + ": " + e.getMessage());
    }
  }

  private static void apply(RegistryClient client, DescriptorDigest layer, ImageFiles files)
      throws IOException {
    Path spool = Files.createTempFile("layer-", ".tar");
    try {
      try (OutputStream out = Files.newOutputStream(spool)) {
        client.pullBlob(layer, size -> {}, written -> {}).writeTo(out);
      }
      try (InputStream in = Files.newInputStream(spool)) {
        files.apply(in);
      }
    } finally {
      Files.deleteIfExists(spool);
    }
  }

  /** {@code sbom} with {@code found}'s packages added (those it does not list already). */
  static SbomGenerator.Sbom add(SbomGenerator.Sbom sbom, Found found) {
    if (found.packages().isEmpty() && found.distroId() == null) {
      return sbom;
    }
    Bom bom;
    try {
      bom = new JsonParser().parse(sbom.json());
    } catch (ParseException e) {
      throw new SbomGenerator.SbomException("sbom: cannot read the SBOM back: " + e.getMessage());
    }
    List<Component> components =
        bom.getComponents() == null ? new ArrayList<>() : new ArrayList<>(bom.getComponents());
    Set<String> listed = new LinkedHashSet<>();
    components.forEach(c -> listed.add(c.getPurl()));
    if (found.distroId() != null) {
      Component os = new Component();
      os.setType(Component.Type.OPERATING_SYSTEM);
      os.setName(found.distroId());
      os.setVersion(found.distroVersion());
      os.setBomRef("os:" + found.distroId() + "@" + found.distroVersion());
      components.add(os);
    }
    int added = 0;
    for (OsPackage pkg : found.packages()) {
      if (!listed.add(pkg.purl())) {
        continue;
      }
      Component component = new Component();
      component.setType(Component.Type.LIBRARY);
      component.setName(pkg.name());
      component.setVersion(pkg.version());
      component.setPurl(pkg.purl());
      component.setBomRef(pkg.purl());
      if (!pkg.licenses().isEmpty()) {
        LicenseChoice choice = new LicenseChoice();
        for (String id : pkg.licenses()) {
          License license = new License();
          if (SpdxIds.isKnown(id)) {
            license.setId(id);
          } else {
            license.setName(id);
          }
          choice.addLicense(license);
        }
        component.setLicenses(choice);
      }
      Property source = new Property();
      source.setName("slipway:package:source");
      source.setValue("os");
      component.setProperties(List.of(source));
      components.add(component);
      added++;
    }
    bom.setComponents(components);
    try {
      String json = BomGeneratorFactory.createJson(SbomGenerator.VERSION, bom).toJsonString();
      List<String> sources = new ArrayList<>(sbom.sources());
      if (added > 0) {
        sources.add(found.distroId() + " " + found.distroVersion() + " packages");
      }
      return new SbomGenerator.Sbom(
          json.getBytes(StandardCharsets.UTF_8), sbom.components() + added, sources);
    } catch (GeneratorException e) {
      throw new SbomGenerator.SbomException("cannot write the SBOM: " + e.getMessage());
    }
  }
}
