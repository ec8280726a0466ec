package dev.slipway.build.executor;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.container.Podman;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

/**
 * The executor the configuration names: {@code local} (default: containers with podman on this
 * host) or {@code kubernetes} (a Job per build).
 */
@ApplicationScoped
public class ExecutorProducer {

  @Produces
  @ApplicationScoped
  StepExecutor executor(BuildConfig config, Instance<KubernetesClient> kubernetes) {
    return switch (config.executor()) {
      case LOCAL ->
          new ContainerExecutor(
              config, new Podman(config.local().podman(), config.local().runtime()));
      case KUBERNETES -> new KubernetesExecutor(kubernetes.get(), config, config.workspaceDir());
    };
  }

  void close(@Disposes StepExecutor executor) {
    if (executor instanceof ContainerExecutor containers) {
      containers.close();
    }
  }
}
