package dev.slipway.events;

/**
 * Where build-service fetches an application's commits from, when not from its repository URL.
 *
 * @param cloneUrl a mirror, or a local bare repository ({@code file://} under an allowed root);
 *     null: the repository URL
 * @param credentialsRef the name of the read credentials build-service resolves from its own
 *     configuration or a Kubernetes Secret; never the credentials themselves; null: anonymous
 * @param directory the application's folder in a repository that holds several (a monorepo),
 *     relative to its root: its {@code .slipway.yaml} lives there, its steps start there and its
 *     SBOM covers only it; null: the repository root
 */
public record SourceSpec(String cloneUrl, String credentialsRef, String directory) {

  /** Clone the repository URL anonymously. */
  public static final SourceSpec DEFAULT = new SourceSpec(null, null, null);

  /** A source whose application is the whole repository. */
  public SourceSpec(String cloneUrl, String credentialsRef) {
    this(cloneUrl, credentialsRef, null);
  }
}
