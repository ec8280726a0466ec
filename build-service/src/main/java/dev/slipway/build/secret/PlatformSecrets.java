package dev.slipway.build.secret;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.source.SourceFetcher;
import dev.slipway.events.BuildSettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Resolves secrets by name: the clone credentials an application's source names and the secret
 * variables {@code .slipway.yaml} asks for. Values come from configuration (environment variables)
 * or a Kubernetes Secret in the build namespace, never from the repository, and never leave this
 * class except towards the masker and the place that needs them.
 *
 * <p>Who may read what: clone credentials name the applications they belong to ({@code
 * applications}, {@code *} for all); a secret variable needs the registry's grant of that secret to
 * the application for the ref being built ({@link BuildSettings.SecretGrant}), and, when the
 * service's configuration names applications for it, to be one of them. A secret the ref may not
 * read is withheld: the variable is left unset and the build's log says which and why.
 */
@ApplicationScoped
public class PlatformSecrets {

  private final BuildConfig config;
  private final Instance<KubernetesClient> kubernetes;

  public PlatformSecrets(BuildConfig config, Instance<KubernetesClient> kubernetes) {
    this.config = config;
    this.kubernetes = kubernetes;
  }

  /** The clone credentials named {@code name}, for a build of {@code application}. */
  public SourceFetcher.Credentials credentials(String name, String application) {
    BuildConfig.Credential credential = config.credentials().get(name);
    if (credential == null) {
      throw new SecretException("credentials '" + name + "' are not configured");
    }
    List<String> owners = credential.applications().orElse(List.of());
    if (owners.isEmpty()) {
      throw new SecretException(
          "credentials '"
              + name
              + "' belong to no application (set slipway.build.credentials."
              + name
              + ".applications)");
    }
    if (!owners.contains(application) && !owners.contains("*")) {
      throw new SecretException(
          "credentials '" + name + "' belong to " + owners + ", not to " + application);
    }
    String token =
        credential
            .token()
            .or(() -> credential.kubernetesSecret().map(s -> fromKubernetes(s, credential.key())))
            .orElseThrow(
                () -> new SecretException("credentials '" + name + "' have no token configured"));
    return new SourceFetcher.Credentials(credential.username(), token);
  }

  /**
   * The secret variables a build may read: {@code requested} (variable to secret name, from {@code
   * .slipway.yaml}) less those the registry does not grant to {@code application} for {@code ref};
   * each withheld one is reported to {@code withheld} with the reason.
   */
  public Map<String, String> variables(
      Map<String, String> requested,
      String application,
      String ref,
      BuildSettings settings,
      BiConsumer<String, String> withheld) {
    Map<String, String> granted = new LinkedHashMap<>();
    requested.forEach(
        (variable, name) -> {
          Optional<BuildSettings.SecretGrant> grant = settings.grant(name);
          if (grant.isEmpty()) {
            withheld.accept(
                variable,
                "secret '"
                    + name
                    + "' is not granted to "
                    + application
                    + " in the registry (the application's build.secrets)");
          } else if (!grant.get().allows(ref)) {
            withheld.accept(
                variable,
                "secret '"
                    + name
                    + "' is bound to "
                    + (grant.get().refs().isEmpty()
                        ? "no ref (environments " + grant.get().environments() + " only)"
                        : "refs " + grant.get().refs())
                    + "; this build is of "
                    + ref);
          } else {
            granted.put(variable, secret(name, application));
          }
        });
    return granted;
  }

  /** The value of secret {@code name} for a build of {@code application}. */
  public String secret(String name, String application) {
    BuildConfig.Secret secret = config.secrets().get(name);
    if (secret == null) {
      throw new SecretException("secret '" + name + "' is not configured");
    }
    Optional<java.util.List<String>> allowed = secret.applications();
    if (allowed.isPresent()
        && !allowed.get().contains(application)
        && !allowed.get().contains("*")) {
      throw new SecretException("secret '" + name + "' is not granted to " + application);
    }
    return secret
        .value()
        .or(() -> secret.kubernetesSecret().map(s -> fromKubernetes(s, secret.key())))
        .orElseThrow(() -> new SecretException("secret '" + name + "' has no value configured"));
  }

  private String fromKubernetes(String secretName, String key) {
    if (!kubernetes.isResolvable()) {
      throw new SecretException("no Kubernetes client to read Secret " + secretName);
    }
    Secret secret =
        kubernetes
            .get()
            .secrets()
            .inNamespace(config.kubernetes().namespace())
            .withName(secretName)
            .get();
    if (secret == null) {
      throw new SecretException(
          "Kubernetes Secret " + config.kubernetes().namespace() + "/" + secretName + " not found");
    }
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return new String(
          Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    throw new SecretException("Kubernetes Secret " + secretName + " has no key '" + key + "'");
  }

  /** A secret that cannot be resolved; the message names it, never a value. */
  public static class SecretException extends RuntimeException {
    public SecretException(String message) {
      super(message);
    }
  }
}
