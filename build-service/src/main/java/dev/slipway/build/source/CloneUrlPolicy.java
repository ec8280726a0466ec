package dev.slipway.build.source;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which repository URLs build-service clones: {@code https://}; {@code ssh://} and the scp-like
 * {@code user@host:path} only where ssh is set up (a known_hosts file to check host keys against: a
 * host key is never trusted on first use); and {@code file://} only inside an explicitly allowed
 * root, resolved through symbolic links so a link cannot point a build at any other folder of the
 * host. Everything else ({@code http}, {@code git}, {@code ext::}, ...) is refused.
 */
public final class CloneUrlPolicy {

  /** Git's remote-helper syntax, {@code <transport>::<address>} ({@code ext::sh -c ...}). */
  private static final Pattern REMOTE_HELPER = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)::");

  private static final Pattern SCP_LIKE =
      Pattern.compile("^[A-Za-z0-9._][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[^/].*$");

  private final List<Path> allowedFileRoots;
  private final boolean sshEnabled;

  /**
   * @param allowedFileRoots folders {@code file://} repositories may lie under; none refuses them
   * @param sshEnabled whether ssh clones are set up (a known_hosts file is configured)
   */
  public CloneUrlPolicy(List<Path> allowedFileRoots, boolean sshEnabled) {
    this.allowedFileRoots = List.copyOf(allowedFileRoots);
    this.sshEnabled = sshEnabled;
  }

  /** Whether {@code url} is cloned over ssh ({@code ssh://} or scp-like {@code user@host:path}). */
  public static boolean isSsh(String url) {
    return url != null
        && (SCP_LIKE.matcher(url).matches()
            || url.regionMatches(true, 0, "ssh://", 0, "ssh://".length()));
  }

  /** Returns the URL to clone, or fails with the reason it is refused. */
  public String check(String url) {
    if (url == null || url.isBlank()) {
      throw new SourceException("no repository URL to clone");
    }
    if (url.startsWith("-") || url.chars().anyMatch(Character::isISOControl)) {
      throw new SourceException("repository URL refused: it is not a URL");
    }
    java.util.regex.Matcher helper = REMOTE_HELPER.matcher(url);
    if (helper.find()) {
      throw new SourceException(
          "repository URL refused: scheme '"
              + helper.group(1).toLowerCase(Locale.ROOT)
              + "' is not allowed (https, ssh, or file:// under an allowed root)");
    }
    if (SCP_LIKE.matcher(url).matches()) {
      requireSsh();
      return url;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new SourceException("repository URL refused: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "https", "ssh" -> {
        if (scheme.equals("ssh")) {
          requireSsh();
        }
        if (uri.getHost() == null || uri.getHost().startsWith("-")) {
          throw new SourceException("repository URL refused: no host in " + redacted(uri));
        }
        if (uri.getUserInfo() != null && uri.getUserInfo().contains(":")) {
          throw new SourceException(
              "repository URL refused: credentials belong in a credentials reference, not the URL");
        }
        return url;
      }
      case "file" -> {
        return checkFile(uri);
      }
      default ->
          throw new SourceException(
              "repository URL refused: scheme '"
                  + scheme
                  + "' is not allowed (https, ssh, or file:// under an allowed root)");
    }
  }

  private void requireSsh() {
    if (!sshEnabled) {
      throw new SourceException(
          "repository URL refused: ssh clones are not set up on this build-service"
              + " (slipway.build.source.ssh-known-hosts names no known_hosts file); use https");
    }
  }

  private String checkFile(URI uri) {
    if (allowedFileRoots.isEmpty()) {
      throw new SourceException("repository URL refused: file:// is not allowed here");
    }
    Path path;
    try {
      path = Path.of(uri).toAbsolutePath().normalize();
    } catch (IllegalArgumentException e) {
      throw new SourceException("repository URL refused: " + e.getMessage());
    }
    Path real = realPath(path);
    for (Path root : allowedFileRoots) {
      Path realRoot = realPath(root.toAbsolutePath().normalize());
      if (real.startsWith(realRoot)) {
        return real.toUri().toString();
      }
    }
    throw new SourceException(
        "repository URL refused: " + path + " is outside the allowed file:// roots");
  }

  private static Path realPath(Path path) {
    try {
      return Files.exists(path) ? path.toRealPath() : path;
    } catch (IOException e) {
      return path;
    }
  }

  private static String redacted(URI uri) {
    return uri.getScheme() + "://" + (uri.getHost() == null ? "" : uri.getHost()) + uri.getPath();
  }
}
