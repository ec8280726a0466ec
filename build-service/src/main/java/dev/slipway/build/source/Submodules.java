package dev.slipway.build.source;

import dev.slipway.build.workspace.RepositoryPaths;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.submodule.SubmoduleWalk;

/**
 * The submodules of a checked-out commit ({@code .gitmodules}), each fetched at the commit the
 * superproject records for it, never a branch tip, through the same URL policy as the repository
 * itself (a submodule URL is repository-controlled input: {@code ext::}, {@code http://} or a
 * {@code file://} outside the allowed roots are refused like any clone URL), into a path that must
 * stay inside the checkout. Relative URLs ({@code ../lib.git}) resolve against the superproject's.
 * The clone credentials go only to submodules on the superproject's host. Nested submodules are
 * followed up to {@link #MAX_DEPTH} levels, at most {@link #MAX_COUNT} in all.
 */
final class Submodules {

  static final int MAX_DEPTH = 3;
  static final int MAX_COUNT = 50;

  private final SourceFetcher fetcher;
  private final UnaryOperator<String> policy;
  private final Consumer<String> log;
  private int fetched;

  Submodules(SourceFetcher fetcher, UnaryOperator<String> policy, Consumer<String> log) {
    this.fetcher = fetcher;
    this.policy = policy;
    this.log = log;
  }

  /** One submodule of a commit. */
  record Submodule(String path, String url, ObjectId commit) {}

  /** Fetches every submodule of the checkout at {@code workspace}, recursively. */
  int fetchAll(
      Path workspace,
      RepositoryPaths checkout,
      String parentUrl,
      Optional<SourceFetcher.Credentials> credentials,
      Duration timeout,
      int depth) {
    List<Submodule> submodules = list(workspace);
    for (Submodule submodule : submodules) {
      if (++fetched > MAX_COUNT) {
        throw new SourceException(
            "the repository has more than " + MAX_COUNT + " submodules; not cloned");
      }
      if (depth > MAX_DEPTH) {
        throw new SourceException(
            "submodule " + submodule.path() + " is nested deeper than " + MAX_DEPTH + " levels");
      }
      Path target;
      try {
        String relative =
            checkout.root().relativize(workspace.toRealPath().resolve(submodule.path())).toString();
        target =
            checkout.resolve(
                relative,
                new RepositoryPaths.Field(".gitmodules: submodule " + submodule.path(), 0));
      } catch (RepositoryPaths.UnsafePathException e) {
        throw new SourceException(e.getMessage());
      } catch (IOException e) {
        throw new SourceException("submodule " + submodule.path() + ": " + e.getMessage());
      }
      if (submodule.url() == null) {
        throw new SourceException("submodule " + submodule.path() + " has no url in .gitmodules");
      }
      String resolved = resolve(parentUrl, submodule.url());
      String checked;
      try {
        checked = policy.apply(resolved);
      } catch (SourceException e) {
        throw new SourceException("submodule " + submodule.path() + ": " + e.getMessage());
      }
      Optional<SourceFetcher.Credentials> own =
          sameHost(parentUrl, resolved) ? credentials : Optional.empty();
      log.accept(
          "==> submodule "
              + submodule.path()
              + " from "
              + checked
              + " at "
              + submodule.commit().name());
      try {
        if (Files.exists(target)) {
          // An empty folder the checkout made for the gitlink.
          try (var entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
              throw new SourceException(
                  "submodule " + submodule.path() + ": its folder is not empty in the checkout");
            }
          }
        }
        fetcher.fetchInto(checked, submodule.commit().name(), own, target, timeout);
      } catch (IOException e) {
        throw new SourceException("submodule " + submodule.path() + ": " + e.getMessage());
      } catch (SourceException e) {
        throw new SourceException("submodule " + submodule.path() + ": " + e.getMessage());
      }
      fetchAll(target, checkout, checked, credentials, timeout, depth + 1);
    }
    return fetched;
  }

  private static List<Submodule> list(Path workspace) {
    if (!Files.isRegularFile(workspace.resolve(".gitmodules"))) {
      return List.of();
    }
    List<Submodule> found = new ArrayList<>();
    try (Repository repository =
            new FileRepositoryBuilder().setWorkTree(workspace.toFile()).setMustExist(true).build();
        SubmoduleWalk walk = SubmoduleWalk.forIndex(repository)) {
      while (walk.next()) {
        found.add(new Submodule(walk.getPath(), walk.getModulesUrl(), walk.getObjectId()));
      }
    } catch (IOException | ConfigInvalidException e) {
      throw new SourceException(".gitmodules cannot be read: " + e.getMessage());
    }
    return found;
  }

  /** A submodule URL, relative ones ({@code ./x}, {@code ../x}) against the superproject's. */
  static String resolve(String parent, String url) {
    if (!url.startsWith("./") && !url.startsWith("../")) {
      return url;
    }
    String base = parent.endsWith("/") ? parent.substring(0, parent.length() - 1) : parent;
    String rest = url;
    while (true) {
      if (rest.startsWith("./")) {
        rest = rest.substring(2);
      } else if (rest.startsWith("../")) {
        rest = rest.substring(3);
        int cut = Math.max(base.lastIndexOf('/'), base.lastIndexOf(':'));
        if (cut < 0) {
          throw new SourceException("submodule url " + url + " climbs above " + parent);
        }
        base = base.substring(0, cut);
      } else {
        break;
      }
    }
    return base + (base.endsWith(":") ? "" : "/") + rest;
  }

  private static boolean sameHost(String a, String b) {
    return host(a).map(h -> h.equals(host(b).orElse(null))).orElse(false);
  }

  private static Optional<String> host(String url) {
    int at = url.indexOf('@');
    if (!url.contains("://") && at > 0 && url.indexOf(':', at) > 0) {
      return Optional.of(url.substring(at + 1, url.indexOf(':', at)));
    }
    try {
      return Optional.ofNullable(new URI(url).getHost());
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }
}
