package dev.slipway.build.stage;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.secret.PlatformSecrets;
import dev.slipway.build.source.CloneUrlPolicy;
import dev.slipway.build.source.SourceException;
import dev.slipway.build.source.SourceFetcher;
import dev.slipway.events.CommitReceived;
import dev.slipway.events.SourceSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/**
 * Clones the repository at exactly the commit, from the application's clone URL (checked against
 * the URL policy) with its clone credentials, into the build's {@code src}.
 */
@ApplicationScoped
public class CloneStage implements Stage {

  private final BuildConfig config;
  private final PlatformSecrets secrets;
  private final CloneUrlPolicy urls;
  private final SourceFetcher fetcher;

  public CloneStage(BuildConfig config, PlatformSecrets secrets) {
    this.config = config;
    this.secrets = secrets;
    this.urls =
        new CloneUrlPolicy(
            config.source().allowedFileRoots().orElse(List.of()),
            config.source().sshKnownHosts().isPresent());
    this.fetcher = new SourceFetcher(config.source().sshKnownHosts());
  }

  @Override
  public String name() {
    return "clone";
  }

  @Override
  public void run(BuildContext build) {
    CommitReceived commit = build.commit();
    SourceSpec source = commit.pipeline().source();
    String url = source.cloneUrl() != null ? source.cloneUrl() : commit.repoUrl();
    try {
      String checked = urls.check(url);
      Optional<SourceFetcher.Credentials> credentials =
          Optional.ofNullable(source.credentialsRef())
              .map(name -> secrets.credentials(name, build.application()));
      credentials.ifPresent(c -> build.log().addSecrets(List.of(c.token())));
      build.log().info("==> clone " + checked + " at " + commit.commitSha());
      long started = System.nanoTime();
      SourceFetcher.Fetched fetched =
          fetcher.fetch(
              checked,
              commit.commitSha(),
              credentials,
              build.workspace().source(),
              config.source().cloneTimeout(),
              urls::check,
              build.log()::info);
      build
          .log()
          .info(
              "==> cloned "
                  + (fetched.shallow() ? "(shallow)" : "(full)")
                  + (fetched.submodules() > 0
                      ? " with " + fetched.submodules() + " submodule(s)"
                      : "")
                  + " in "
                  + (System.nanoTime() - started) / 1_000_000
                  + " ms");
    } catch (SourceException | PlatformSecrets.SecretException e) {
      throw StageFailure.failed(name(), e.getMessage());
    }
  }
}
