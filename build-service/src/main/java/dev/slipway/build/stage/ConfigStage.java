package dev.slipway.build.stage;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.secret.PlatformSecrets;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.spec.BuildSpecException;
import dev.slipway.build.spec.BuildSpecParser;
import dev.slipway.build.workspace.RepositoryPaths;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Reads and validates {@code .slipway.yaml} at the commit, sets the build's deadline from it, and
 * resolves the secret variables it asks for.
 */
@ApplicationScoped
public class ConfigStage implements Stage {

  private final BuildConfig config;
  private final PlatformSecrets secrets;
  private final BuildSpecParser parser = new BuildSpecParser();

  public ConfigStage(BuildConfig config, PlatformSecrets secrets) {
    this.config = config;
    this.secrets = secrets;
  }

  @Override
  public String name() {
    return "config";
  }

  @Override
  public boolean timed() {
    return false;
  }

  @Override
  public void run(BuildContext build) {
    String directory = build.commit().pipeline().source().directory();
    RepositoryPaths paths;
    Path file;
    try {
      paths = new RepositoryPaths(build.workspace().source());
      if (directory != null && !directory.isBlank() && !".".equals(directory)) {
        paths =
            paths.within(
                directory,
                new RepositoryPaths.Field("the application's folder (source.directory)", 0));
      }
      file =
          paths.resolve(BuildSpecParser.FILE_NAME, new RepositoryPaths.Field("the build file", 0));
    } catch (RepositoryPaths.UnsafePathException e) {
      throw StageFailure.failed(name(), e.getMessage());
    }
    build.paths(paths);
    if (!Files.isRegularFile(file)) {
      throw StageFailure.failed(
          name(),
          BuildSpecParser.FILE_NAME
              + " not found at "
              + (build.directory().isEmpty()
                  ? "the repository root"
                  : build.directory() + "/ (the application's folder)")
              + " of this commit");
    }
    BuildSpec spec;
    byte[] content;
    try {
      content = Files.readAllBytes(file);
      spec = parser.parse(content);
    } catch (BuildSpecException e) {
      throw StageFailure.failed(name(), e.getMessage());
    } catch (IOException e) {
      throw StageFailure.failed(name(), "cannot read: " + e.getMessage());
    }
    build.spec(spec, sha256(content));
    if (spec.timeout() != null && spec.timeout().compareTo(config.maxBuildTimeout()) > 0) {
      throw StageFailure.failed(
          name(),
          BuildSpecParser.FILE_NAME
              + " is invalid: line "
              + spec.field("timeout").line()
              + ": timeout "
              + Durations.human(spec.timeout())
              + " is above the platform's limit of "
              + Durations.human(config.maxBuildTimeout())
              + " (slipway.build.max-build-timeout)");
    }
    Duration timeout =
        spec.timeout() != null
            ? spec.timeout()
            : min(config.buildTimeout(), config.maxBuildTimeout());
    build.deadline(build.start().plus(timeout));
    try {
      build
          .secretEnv()
          .putAll(
              secrets.variables(
                  spec.secrets(),
                  build.application(),
                  build.commit().ref(),
                  build.commit().pipeline().build(),
                  (variable, why) ->
                      build.log().info("==> secret " + variable + " withheld: " + why)));
    } catch (PlatformSecrets.SecretException e) {
      throw StageFailure.failed(name(), e.getMessage());
    }
    build.log().addSecrets(build.secretEnv().values());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static String sha256(byte[] content) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
