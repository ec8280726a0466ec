package dev.slipway.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration a service declares, read from its sources without starting it: the keys of its
 * {@code application.properties} (every profile), the environment variables its values reference
 * ({@code ${NAME}} or {@code ${NAME:default}}), and the properties of its {@code @ConfigMapping}
 * interfaces (prefix, then each method's name in kebab case; nested groups; {@code *} for a map's
 * key). A setting given to the service in Kubernetes must be one of these.
 */
record ServiceConfig(
    String service,
    Set<String> properties,
    Set<String> referencedEnv,
    Set<String> requiredEnv,
    Set<String> channels) {

  /** One property of a {@code @ConfigMapping}; {@code required}: no default and not optional. */
  record MappedProperty(String name, boolean required) {}

  /** The sources of the module every service shares its outbox and work settings from. */
  private static final String SHARED_SOURCES = "work/src/main/java";

  private static final Pattern PROFILE = Pattern.compile("^%[\\w,-]+\\.");
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:?)");
  private static final Pattern MAPPING =
      Pattern.compile(
          "@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"\\s*\\)\\s*public\\s+interface\\s+(\\w+)");
  private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{;]*\\{");
  private static final Pattern METHOD = Pattern.compile("^(.+?)\\s+(\\w+)\\s*\\(\\s*\\)$");
  private static final Pattern OPTIONAL = Pattern.compile("^Optional<\\s*(.+)\\s*>$");
  private static final Pattern MAP = Pattern.compile("^Map<\\s*String\\s*,\\s*(.+)\\s*>$");
  private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\\s*\"([^\"]+)\"\\s*\\)");
  private static final Pattern CHANNEL =
      Pattern.compile("mp\\.messaging\\.(?:incoming|outgoing)\\.([^.]+)\\..+");

  /** What {@code service} (a module of the repository) declares. */
  static ServiceConfig of(String service) {
    Path module = Overlay.repoDir().resolve(service);
    Properties file = load(module.resolve("src/main/resources/application.properties"));
    Set<String> properties = new TreeSet<>();
    Set<String> referenced = new TreeSet<>();
    Set<String> required = new TreeSet<>();
    Set<String> channels = new TreeSet<>();
    Map<String, String> running = new LinkedHashMap<>();
    for (String key : file.stringPropertyNames()) {
      String value = file.getProperty(key);
      String name = PROFILE.matcher(key).replaceFirst("");
      properties.add(name);
      Matcher channel = CHANNEL.matcher(name);
      if (channel.matches()) {
        channels.add(channel.group(1));
      }
      boolean runs = !key.startsWith("%") || key.startsWith("%prod.");
      if (runs) {
        running.put(name, value);
      }
      Matcher reference = ENV_REFERENCE.matcher(value);
      while (reference.find()) {
        referenced.add(reference.group(1));
        if (runs && reference.group(2).isEmpty()) {
          // ${NAME} without a default: the packaged service does not start without it.
          required.add(reference.group(1));
        }
      }
    }
    for (MappedProperty mapped :
        mappings(module.resolve("src/main/java"), Overlay.repoDir().resolve(SHARED_SOURCES))) {
      properties.add(mapped.name());
      if (mapped.required() && !running.containsKey(mapped.name())) {
        required.add(envName(mapped.name()));
      }
    }
    return new ServiceConfig(
        service,
        Set.copyOf(properties),
        Set.copyOf(referenced),
        Set.copyOf(required),
        Set.copyOf(channels));
  }

  /** Whether the environment variable {@code env} sets a property this service declares. */
  boolean declaresEnv(String env) {
    return referencedEnv.contains(env)
        || properties.stream().anyMatch(p -> envPattern(p).matcher(env).matches());
  }

  /** Whether the property {@code name} (as in a properties file) is one this service declares. */
  boolean declaresProperty(String name) {
    return properties.stream().anyMatch(p -> propertyPattern(p).matcher(name).matches());
  }

  /**
   * MicroProfile Config's environment name of {@code property}: upper case, every character that is
   * not a letter or digit an underscore.
   */
  static String envName(String property) {
    return property.toUpperCase().replaceAll("[^A-Z0-9]", "_");
  }

  /**
   * The environment names of {@code property}, where a map key ({@code *}) is one segment of
   * letters and digits: SmallRye Config rebuilds a map key from an environment name only so (a key
   * with a dash or a dot is silently lost: a properties file must carry it).
   */
  private static Pattern envPattern(String property) {
    StringBuilder regex = new StringBuilder();
    for (String part : property.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append("[A-Z0-9]+");
      }
      regex.append(Pattern.quote(envName(part)));
    }
    return Pattern.compile(regex.toString());
  }

  private static Pattern propertyPattern(String property) {
    StringBuilder regex = new StringBuilder();
    for (String part : property.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append("(?:[^.\"]+|\"[^\"]+\")");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }

  /**
   * Every property of every {@code @ConfigMapping} interface under {@code sources}; a group may be
   * an interface of another file there or of {@code shared} (the modules the services share, such
   * as {@code work}'s {@code OutboxSettings}).
   */
  static List<MappedProperty> mappings(Path sources, Path shared) {
    Map<String, String> bodies = new LinkedHashMap<>();
    List<String> roots = new ArrayList<>();
    for (Path root : List.of(shared, sources)) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          String text = uncommented(Files.readString(file));
          bodies.putAll(interfaces(text));
          if (root.equals(sources) && text.contains("@ConfigMapping")) {
            roots.add(text);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<MappedProperty> mapped = new ArrayList<>();
    for (String text : roots) {
      // The file's own interfaces first: nested groups share simple names across files.
      Map<String, String> visible = new LinkedHashMap<>(bodies);
      visible.putAll(interfaces(text));
      mapped.addAll(mappings(text, visible));
    }
    return mapped;
  }

  /** The properties of the {@code @ConfigMapping} interfaces of one source file. */
  static List<MappedProperty> mappings(String source) {
    String text = uncommented(source);
    return mappings(text, interfaces(text));
  }

  private static List<MappedProperty> mappings(String text, Map<String, String> bodies) {
    List<MappedProperty> mapped = new ArrayList<>();
    Matcher root = MAPPING.matcher(text);
    while (root.find()) {
      collect(root.group(1), root.group(2), bodies, true, mapped);
    }
    return mapped;
  }

  private static String uncommented(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)^\\s*//.*$", " ");
  }

  /** Each interface of {@code text} by simple name, with its own members. */
  private static Map<String, String> interfaces(String text) {
    Map<String, String> bodies = new LinkedHashMap<>();
    Matcher header = INTERFACE.matcher(text);
    while (header.find()) {
      bodies.put(header.group(1), ownMembers(text, header.end()));
    }
    return bodies;
  }

  private static void collect(
      String prefix,
      String type,
      Map<String, String> bodies,
      boolean requirable,
      List<MappedProperty> into) {
    for (String member : bodies.get(type).split(";")) {
      String declaration = member.strip();
      Matcher renamed = WITH_NAME.matcher(declaration);
      String explicitName = renamed.find() ? renamed.group(1) : null;
      boolean hasDefault = declaration.contains("@WithDefault");
      boolean parentName = declaration.contains("@WithParentName");
      declaration = declaration.replaceAll("@\\w+(\\s*\\([^)]*\\))?", "").strip();
      Matcher method = METHOD.matcher(declaration);
      if (declaration.startsWith("default ") || !method.matches()) {
        continue;
      }
      String returned = method.group(1).replaceAll("\\s+", " ").strip();
      String name =
          parentName
              ? prefix
              : prefix + "." + (explicitName != null ? explicitName : kebab(method.group(2)));
      Matcher optional = OPTIONAL.matcher(returned);
      boolean isOptional = optional.matches();
      String inner = isOptional ? optional.group(1).strip() : returned;
      Matcher map = MAP.matcher(inner);
      if (map.matches()) {
        String value = map.group(1).strip();
        if (bodies.containsKey(value)) {
          collect(name + ".*", value, bodies, false, into);
        } else {
          into.add(new MappedProperty(name + ".*", false));
        }
      } else if (bodies.containsKey(inner)) {
        collect(name, inner, bodies, requirable && !isOptional, into);
      } else {
        into.add(new MappedProperty(name, requirable && !isOptional && !hasDefault));
      }
    }
  }

  /** The body of the block opening at {@code start}, with every nested block cut to a {@code ;}. */
  private static String ownMembers(String text, int start) {
    StringBuilder own = new StringBuilder();
    int depth = 1;
    for (int i = start; i < text.length() && depth > 0; i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 1) {
          own.append(';');
        }
      } else if (depth == 1) {
        own.append(c);
      }
    }
    return own.toString();
  }

  /** SmallRye's default naming of a mapping method: {@code inCluster} is {@code in-cluster}. */
  static String kebab(String method) {
    return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
  }

  private static Properties load(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
