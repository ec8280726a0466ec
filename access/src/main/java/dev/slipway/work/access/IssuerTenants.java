package dev.slipway.work.access;

import io.quarkus.oidc.Oidc;
import io.quarkus.oidc.OidcTenantConfig;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Makes each configured issuer an OIDC tenant of quarkus-oidc, which resolves a bearer token's
 * tenant by its {@code iss} ({@code quarkus.oidc.resolve-tenants-with-issuer}), verifies it with
 * the issuer's keys (its JWKS, found by discovery and fetched again when a token names a key it
 * does not know, so the issuer can rotate keys), and checks expiry and audience. The platform's own
 * issuer verifies with a configured public key instead. A token of any other issuer is 401.
 */
@jakarta.enterprise.context.ApplicationScoped
public class IssuerTenants {

  private static final Logger LOG = Logger.getLogger(IssuerTenants.class);

  void create(@Observes Oidc oidc, AuthConfig config) {
    for (Map.Entry<String, AuthConfig.Issuer> entry : config.issuers().entrySet()) {
      if (entry.getValue().publicKeyLocation().map(IssuerTenants::missing).orElse(false)) {
        LOG.warnf(
            "issuer %s is not trusted: its public key %s does not exist",
            entry.getKey(), entry.getValue().publicKeyLocation().get());
        continue;
      }
      OidcTenantConfig tenant = tenant(entry.getKey(), entry.getValue());
      oidc.create(tenant);
      LOG.infof(
          "tokens of issuer %s (%s) are verified %s",
          entry.getKey(),
          entry.getValue().issuer(),
          entry.getValue().publicKeyLocation().isPresent()
              ? "with the public key " + entry.getValue().publicKeyLocation().get()
              : "by its JWKS");
    }
  }

  static OidcTenantConfig tenant(String name, AuthConfig.Issuer issuer) {
    var builder =
        OidcTenantConfig.builder()
            .tenantId(name)
            .applicationType(io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType.SERVICE);
    if (issuer.publicKeyLocation().isPresent()) {
      builder.publicKey(publicKey(issuer.publicKeyLocation().get())).discoveryEnabled(false);
    } else {
      builder.authServerUrl(issuer.authServerUrl().orElse(issuer.issuer()));
    }
    var token = builder.token().issuer(issuer.issuer());
    issuer.audience().ifPresent(audience -> token.audience(java.util.List.of(audience)));
    return token.end().build();
  }

  private static boolean missing(String location) {
    return !Files.exists(Path.of(location.startsWith("file:") ? location.substring(5) : location));
  }

  /** The base64 of a PEM public key's DER, as quarkus-oidc takes it. */
  static String publicKey(String location) {
    String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
    try {
      return Files.readString(Path.of(path))
          .replaceAll("-----[A-Z ]+-----", "")
          .replaceAll("\\s", "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the public key " + location, e);
    }
  }
}
