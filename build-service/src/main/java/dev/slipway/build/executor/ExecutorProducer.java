package dev.slipway.build.executor;

import dev.slipway.build.config.BuildConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

/** The executor the configuration names: {@code local} (default) or {@code kubernetes}. */
@ApplicationScoped
public class ExecutorProducer {

  @Produces
  @ApplicationScoped
  StepExecutor executor(BuildConfig config, Instance<KubernetesClient> kubernetes) {
    return switch (config.executor()) {
      case LOCAL -> new LocalExecutor(config.local().path(), config.local().killGrace());
      case KUBERNETES ->
          new KubernetesExecutor(kubernetes.get(), config.kubernetes(), config.workspaceDir());
    };
  }
}
