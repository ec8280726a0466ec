package dev.slipway.trigger.service;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One spelling per Git repository, so {@code https://github.com/acme/shop.git}, {@code
 * https://github.com/acme/shop} and {@code git@github.com:acme/shop.git} all name the same one.
 *
 * <p>The normal form is {@code https://host[:port]/owner/.../repo} in lower case: SSH forms become
 * https on the same host (an SSH port says nothing about the web port, so it is dropped), {@code
 * .git} and trailing slashes go, credentials go. Plain {@code http} stays http so a self-hosted
 * instance without TLS is still cloneable. Every host Slipway supports treats owner and repository
 * names case-insensitively, so lower case loses nothing.
 */
public final class RepositoryUrl {

  private static final Pattern SCP_LIKE =
      Pattern.compile("^(?:[A-Za-z0-9._~-]+@)?([A-Za-z0-9.-]+):(?!//)([^\\s]+)$");
  private static final Pattern PATH = Pattern.compile("^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)+$");

  private RepositoryUrl() {}

  /** The normal form of {@code url}, or empty when it is not a repository URL. */
  public static Optional<String> normalize(String url) {
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    String trimmed = url.trim();
    Matcher scp = SCP_LIKE.matcher(trimmed);
    if (!trimmed.contains("://") && scp.matches()) {
      return build("https", scp.group(1), -1, scp.group(2));
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
      return Optional.empty();
    }
    return switch (scheme) {
      case "https", "http" ->
          build(scheme, uri.getHost(), webPort(scheme, uri.getPort()), uri.getPath());
      case "ssh", "git", "git+ssh" -> build("https", uri.getHost(), -1, uri.getPath());
      default -> Optional.empty();
    };
  }

  private static int webPort(String scheme, int port) {
    boolean standard = port == -1 || ("https".equals(scheme) ? port == 443 : port == 80);
    return standard ? -1 : port;
  }

  private static Optional<String> build(String scheme, String host, int port, String rawPath) {
    if (rawPath == null) {
      return Optional.empty();
    }
    String path = rawPath;
    while (path.startsWith("/")) {
      path = path.substring(1);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.endsWith(".git")) {
      path = path.substring(0, path.length() - 4);
    }
    if (!PATH.matcher(path).matches()) {
      return Optional.empty();
    }
    String authority = host.toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port);
    return Optional.of(scheme + "://" + authority + "/" + path.toLowerCase(Locale.ROOT));
  }
}
