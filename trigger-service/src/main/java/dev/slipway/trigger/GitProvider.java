package dev.slipway.trigger;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A Git host that sends push webhooks, as named in URLs, API bodies and commit.received. */
public enum GitProvider {
  GITHUB,
  GITLAB,
  BITBUCKET,
  GITEA;

  /** The lower-case name used on the wire, e.g. {@code github}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The provider named {@code id} (case-insensitive), if there is one. */
  public static Optional<GitProvider> fromId(String id) {
    return id == null
        ? Optional.empty()
        : Arrays.stream(values()).filter(p -> p.id().equalsIgnoreCase(id.trim())).findFirst();
  }
}
