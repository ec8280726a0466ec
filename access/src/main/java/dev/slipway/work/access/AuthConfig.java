package dev.slipway.work.access;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whose tokens a service accepts and how their claims map to users and groups, the same in every
 * service ({@code slipway.auth.*}).
 */
@ConfigMapping(prefix = "slipway.auth")
public interface AuthConfig {

  /**
   * The trusted issuers by name, e.g. {@code slipway.auth.issuers.corp.issuer=https://dex.example}.
   * A token is verified by the issuer its {@code iss} names; a token of any other issuer is 401.
   */
  Map<String, Issuer> issuers();

  /**
   * Role bindings of the whole platform that the API cannot change, so admins cannot lock
   * themselves out: {@code group=role}, e.g. {@code platform-admins=admin}. Empty by default.
   */
  Optional<List<String>> bootstrapBindings();

  /**
   * Paths under {@code /api} anyone may read without a token, as public as a JWKS (build-service's
   * signing keys, {@code /api/builds/keys}); exact paths only.
   */
  Optional<List<String>> publicPaths();

  /** How identical denied calls are folded into one access.denied event. */
  @WithDefault("60s")
  java.time.Duration denialWindow();

  /** One trusted issuer. */
  interface Issuer {

    /** The {@code iss} its tokens carry (for discovery also the base of its well-known URL). */
    String issuer();

    /** Where its discovery document lives when not under {@code issuer}. */
    Optional<String> authServerUrl();

    /**
     * A PEM public key (e.g. {@code file:.slipway/jwt/public-key.pem}) to verify its tokens with
     * instead of discovery and JWKS: the platform's own {@code ./slipway token} issuer.
     */
    Optional<String> publicKeyLocation();

    /** The audience its tokens must carry; absent: any. */
    Optional<String> audience();

    /** The claim naming the user for good. */
    @WithDefault("sub")
    String subjectClaim();

    /** Claims tried in turn for the name people read. */
    @WithDefault("preferred_username,upn,name,email")
    List<String> nameClaims();

    /** The e-mail claim. */
    @WithDefault("email")
    String emailClaim();

    /**
     * Whether its e-mail claim counts without {@code email_verified: true} (only for an issuer that
     * verifies every address it issues, such as the platform's own).
     */
    @WithDefault("false")
    boolean emailsVerified();

    /** The claim (a path, {@code /} between levels, e.g. {@code realm_access/roles}) of groups. */
    @WithDefault("groups")
    String groupsClaim();

    /**
     * Put before every group of this issuer, so two issuers' groups of the same name stay apart in
     * role bindings (e.g. {@code github:}).
     */
    Optional<String> groupPrefix();

    /**
     * A claim whose values are Slipway roles for the whole platform. Only for the platform's own
     * issuer, whose tokens an operator makes for a role ({@code ./slipway token --role}).
     */
    Optional<String> platformRolesClaim();

    /** Whether the user is {@code name/subject} (true) or the bare subject. */
    @WithDefault("true")
    boolean qualifySubject();

    /**
     * The claim naming the Git host a federated login came through (Dex: {@code
     * federated_claims/connector_id}); with {@link #accountIdClaim()} it links the user to that
     * host's account.
     */
    Optional<String> accountProviderClaim();

    /** The claim with the Git host's account id (Dex: {@code federated_claims/user_id}). */
    Optional<String> accountIdClaim();

    /** The claim with the Git host's login, if the token has one. */
    Optional<String> accountLoginClaim();
  }
}
