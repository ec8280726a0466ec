package dev.slipway.build.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.github.packageurl.MalformedPackageURLException;
import com.github.packageurl.PackageURL;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the packages a lockfile pins: npm {@code package-lock.json} (v2, v3), Maven's resolved
 * dependency list ({@code mvn dependency:list -DoutputFile=dependency-list.txt}), Python's pinned
 * {@code requirements.txt} and {@code poetry.lock}, Go's {@code go.sum}. Each package gets its
 * package URL (purl); unpinned entries are skipped, since no exact version can be named.
 */
public final class LockfileReader {

  /** File names this reader understands. */
  public static final List<String> FILE_NAMES =
      List.of(
          "package-lock.json", "dependency-list.txt", "requirements.txt", "poetry.lock", "go.sum");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TomlMapper TOML = new TomlMapper();
  private static final Pattern REQUIREMENT =
      Pattern.compile(
          "^([A-Za-z0-9][A-Za-z0-9._-]*)\\s*(\\[[^\\]]*\\])?\\s*===?\\s*([^\\s;\\\\#]+)");
  private static final Pattern MAVEN_SCOPE =
      Pattern.compile("^(compile|runtime|provided|test|system|import)$");
  private static final String NODE_MODULES = "node_modules/";

  /**
   * One package.
   *
   * @param purl its package URL, canonical
   * @param group Maven group, npm scope or Go module path prefix; may be null
   * @param name its name
   * @param version the pinned version
   * @param development whether only development or tests use it
   * @param license the licence the lockfile states (npm's {@code license}); null when none
   */
  public record Package(
      String purl, String group, String name, String version, boolean development, String license) {

    /** A package whose lockfile states no licence. */
    public Package(String purl, String group, String name, String version, boolean development) {
      this(purl, group, name, version, development, null);
    }
  }

  /** The packages of {@code file}, by its name; empty for a name this reader does not know. */
  public List<Package> read(Path file) throws IOException {
    String name = file.getFileName().toString();
    byte[] content = Files.readAllBytes(file);
    return switch (name) {
      case "package-lock.json" -> npm(content);
      case "dependency-list.txt" -> maven(new String(content, StandardCharsets.UTF_8));
      case "requirements.txt" -> requirements(new String(content, StandardCharsets.UTF_8));
      case "poetry.lock" -> poetry(content);
      case "go.sum" -> goSum(new String(content, StandardCharsets.UTF_8));
      default -> List.of();
    };
  }

  /** npm lockfile v2/v3: every entry of {@code packages} but the root and workspace links. */
  List<Package> npm(byte[] content) throws IOException {
    JsonNode packages = JSON.readTree(content).path("packages");
    List<Package> result = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> entries = packages.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      String key = entry.getKey();
      JsonNode value = entry.getValue();
      int at = key.lastIndexOf(NODE_MODULES);
      if (key.isEmpty() || at < 0 || value.path("link").asBoolean(false)) {
        continue;
      }
      String version = value.path("version").asText(null);
      if (version == null) {
        continue;
      }
      String fullName = value.path("name").asText(key.substring(at + NODE_MODULES.length()));
      String scope = null;
      String name = fullName;
      if (fullName.startsWith("@") && fullName.contains("/")) {
        scope = fullName.substring(0, fullName.indexOf('/'));
        name = fullName.substring(fullName.indexOf('/') + 1);
      }
      boolean dev =
          value.path("dev").asBoolean(false) || value.path("devOptional").asBoolean(false);
      String license = value.path("license").isTextual() ? value.path("license").asText() : null;
      result.add(
          new Package(purl("npm", scope, name, version, null), scope, name, version, dev, license));
    }
    return result;
  }

  /** The output of {@code mvn dependency:list}: group:artifact:type[:classifier]:version:scope. */
  List<Package> maven(String text) {
    List<Package> result = new ArrayList<>();
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      int module = line.indexOf(" -- ");
      if (module > 0) {
        line = line.substring(0, module);
      }
      line = line.replace("(optional)", "").strip();
      String[] parts = line.split(":");
      if ((parts.length != 5 && parts.length != 6)
          || !MAVEN_SCOPE.matcher(parts[parts.length - 1]).matches()) {
        continue;
      }
      String group = parts[0];
      String artifact = parts[1];
      String type = parts[2];
      String classifier = parts.length == 6 ? parts[3] : null;
      String version = parts[parts.length - 2];
      String scope = parts[parts.length - 1];
      Map<String, String> qualifiers = new TreeMap<>();
      if (!"jar".equals(type)) {
        qualifiers.put("type", type);
      }
      if (classifier != null) {
        qualifiers.put("classifier", classifier);
      }
      boolean dev = "test".equals(scope) || "provided".equals(scope);
      result.add(
          new Package(
              purl("maven", group, artifact, version, qualifiers), group, artifact, version, dev));
    }
    return result;
  }

  /** Pinned lines of a requirements file ({@code name==version}); others are skipped. */
  List<Package> requirements(String text) {
    List<Package> result = new ArrayList<>();
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("-")) {
        continue;
      }
      Matcher m = REQUIREMENT.matcher(line);
      if (m.find()) {
        String name = pep503(m.group(1));
        String version = m.group(3);
        result.add(
            new Package(purl("pypi", null, name, version, null), null, name, version, false));
      }
    }
    return result;
  }

  /** Every {@code [[package]]} of a poetry.lock. */
  List<Package> poetry(byte[] content) throws IOException {
    List<Package> result = new ArrayList<>();
    for (JsonNode pkg : TOML.readTree(content).path("package")) {
      String name = pep503(pkg.path("name").asText());
      String version = pkg.path("version").asText();
      if (name.isEmpty() || version.isEmpty()) {
        continue;
      }
      boolean dev = "dev".equals(pkg.path("category").asText(""));
      result.add(new Package(purl("pypi", null, name, version, null), null, name, version, dev));
    }
    return result;
  }

  /** Modules of go.sum whose content (not only go.mod) is hashed: those the build compiles. */
  List<Package> goSum(String text) {
    List<Package> result = new ArrayList<>();
    for (String raw : text.split("\r?\n")) {
      String[] parts = raw.strip().split("\\s+");
      if (parts.length != 3 || parts[1].endsWith("/go.mod")) {
        continue;
      }
      String module = parts[0];
      String version = parts[1];
      int slash = module.lastIndexOf('/');
      String namespace = slash < 0 ? null : module.substring(0, slash);
      String name = module.substring(slash + 1);
      result.add(new Package(golangPurl(module, version), namespace, name, version, false));
    }
    return result;
  }

  /**
   * A Go module's purl with its path spelled as the module spells it: packageurl-java lower-cases
   * golang namespaces, which would hide {@code github.com/Azure/...} from Go advisories.
   */
  static String golangPurl(String module, String version) {
    StringBuilder purl = new StringBuilder("pkg:golang");
    for (String segment : module.split("/")) {
      purl.append('/').append(encode(segment));
    }
    return purl.append('@').append(encode(version)).toString();
  }

  private static String encode(String segment) {
    return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%2B")
        .replace("%2F", "/")
        .replace("%7E", "~");
  }

  private static String pep503(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  private static String purl(
      String type, String namespace, String name, String version, Map<String, String> qualifiers) {
    try {
      return new PackageURL(
              type,
              namespace,
              name,
              version,
              qualifiers == null || qualifiers.isEmpty() ? null : new TreeMap<>(qualifiers),
              null)
          .canonicalize();
    } catch (MalformedPackageURLException e) {
      throw new IllegalArgumentException(
          "not a valid package: " + type + " " + namespace + "/" + name + "@" + version, e);
    }
  }
}
