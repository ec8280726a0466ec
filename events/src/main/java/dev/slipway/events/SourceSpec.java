package dev.slipway.events;

/**
 * Where build-service fetches an application's commits from, when not from its repository URL.
 *
 * @param cloneUrl a mirror, or a local bare repository ({@code file://} under an allowed root);
 *     null: the repository URL
 * @param credentialsRef the name of the read credentials build-service resolves from its own
 *     configuration or a Kubernetes Secret; never the credentials themselves; null: anonymous
 */
public record SourceSpec(String cloneUrl, String credentialsRef) {

  /** Clone the repository URL anonymously. */
  public static final SourceSpec DEFAULT = new SourceSpec(null, null);
}
