package dev.slipway.console.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The console's settings: where the five services answer, sessions, sign-in. */
@ConfigMapping(prefix = "slipway.console")
public interface ConsoleConfig {

  /** Base URLs of the five services' public APIs. */
  Services services();

  /** How long a call to a service may take before the page shows it as unavailable. */
  @WithDefault("3s")
  Duration requestTimeout();

  /** How long connecting to a service may take. */
  @WithDefault("1s")
  Duration connectTimeout();

  /** Sessions and sign-in. */
  Session session();

  /** Base URL of this console as users reach it, for links it prints; absent: the request's. */
  Optional<String> publicUrl();

  /** Service base URLs. */
  interface Services {
    /** trigger-service: applications. */
    @WithDefault("http://localhost:8081")
    String trigger();

    /** build-service: builds and logs. */
    @WithDefault("http://localhost:8082")
    String build();

    /** scan-service: scans, exposure. */
    @WithDefault("http://localhost:8083")
    String scan();

    /** deploy-service: rollouts, releases, approvals. */
    @WithDefault("http://localhost:8084")
    String deploy();

    /** audit-service: timelines, verification, DORA. */
    @WithDefault("http://localhost:8085")
    String audit();
  }

  /** Sessions and sign-in. */
  interface Session {
    /**
     * Base64 of 32 random bytes: the AES-256-GCM key that seals session cookies and local sign-in
     * tickets. Every console instance of one installation needs the same key.
     */
    String key();

    /** The longest a session lasts; it never outlives the token it holds. */
    @WithDefault("8h")
    Duration maxAge();

    /** The platform's token issuer, checked on the tokens of local sign-in links. */
    @WithDefault("https://slipway.dev")
    String issuer();

    /** The public key (PEM; {@code file:} or classpath location) that verifies local tokens. */
    String publicKeyLocation();

    /** The longest a local sign-in link may live, whatever it says. */
    @WithDefault("10m")
    Duration linkMaxAge();

    /** Whether sign-in goes through the OIDC provider ({@code quarkus.oidc.*}). */
    @WithDefault("false")
    boolean oidc();

    /** The token claim that holds roles (OIDC and local tokens). */
    @WithDefault("groups")
    String rolesClaim();
  }
}
