package dev.slipway.work.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.AccessPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Claims of real providers' token layouts mapped to the caller. */
class ActorClaimsTest {

  @Test
  void dexWithItsGithubConnectorGivesGroupsAndTheFederatedAccount() {
    String token =
        jwt(
            """
            {"iss": "https://dex.example", "sub": "CgQxMDAxEgZnaXRodWI", "name": "Ada Lovelace",
             "preferred_username": "ada", "email": "ada@example.com", "email_verified": true,
             "groups": ["acme:shop", "acme:prod-approvers"],
             "federated_claims": {"connector_id": "github", "user_id": "1001"}}
            """);
    Actor actor = ActorClaims.read("dex", issuer(Map.of()), token);

    assertThat(actor.user()).isEqualTo("dex/CgQxMDAxEgZnaXRodWI");
    assertThat(actor.name()).isEqualTo("ada");
    assertThat(actor.emails()).containsExactly("ada@example.com");
    assertThat(actor.groups()).containsExactlyInAnyOrder("acme:shop", "acme:prod-approvers");
    assertThat(actor.platformRoles()).isEmpty();
    assertThat(actor.accounts()).containsExactly(new AccessPolicy.Account("github", "1001", "ada"));
  }

  @Test
  void keycloakRealmRolesThroughAPathWithAPrefixAndAnUnverifiedEmailLeftOut() {
    String token =
        jwt(
            """
            {"iss": "https://kc.example/realms/acme", "sub": "f:1:grace",
             "preferred_username": "grace", "email": "grace@example.com", "email_verified": false,
             "realm_access": {"roles": ["deployer", "shop-deployers"]}}
            """);
    Actor actor =
        ActorClaims.read(
            "kc", issuer(Map.of("groups", "realm_access/roles", "prefix", "kc:")), token);

    assertThat(actor.groups()).containsExactlyInAnyOrder("kc:deployer", "kc:shop-deployers");
    assertThat(actor.platformRoles()).as("groups are never roles by themselves").isEmpty();
    assertThat(actor.emails()).isEmpty();
  }

  @Test
  void thePlatformsOwnIssuerAssertsRolesAndKeepsTheBareSubject() {
    String token =
        jwt(
            """
            {"iss": "https://slipway.dev", "sub": "ada", "upn": "ada",
             "groups": ["deployer", "shop-approvers"]}
            """);
    Actor actor =
        ActorClaims.read("local", issuer(Map.of("roles", "groups", "qualify", "false")), token);

    assertThat(actor.user()).isEqualTo("ada");
    assertThat(actor.platformRoles()).containsExactly("deployer");
    assertThat(actor.groups()).contains("shop-approvers");
  }

  private static String jwt(String claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8))
        + ".c2ln";
  }

  private static AuthConfig.Issuer issuer(Map<String, String> settings) {
    return new AuthConfig.Issuer() {
      public String issuer() {
        return "https://issuer.example";
      }

      public Optional<String> authServerUrl() {
        return Optional.empty();
      }

      public Optional<String> publicKeyLocation() {
        return Optional.empty();
      }

      public Optional<String> audience() {
        return Optional.empty();
      }

      public String subjectClaim() {
        return "sub";
      }

      public List<String> nameClaims() {
        return List.of("preferred_username", "upn", "name", "email");
      }

      public String emailClaim() {
        return "email";
      }

      public boolean emailsVerified() {
        return false;
      }

      public String groupsClaim() {
        return settings.getOrDefault("groups", "groups");
      }

      public Optional<String> groupPrefix() {
        return Optional.ofNullable(settings.get("prefix"));
      }

      public Optional<String> platformRolesClaim() {
        return Optional.ofNullable(settings.get("roles"));
      }

      public boolean qualifySubject() {
        return !"false".equals(settings.get("qualify"));
      }

      public Optional<String> accountProviderClaim() {
        return Optional.of("federated_claims/connector_id");
      }

      public Optional<String> accountIdClaim() {
        return Optional.of("federated_claims/user_id");
      }

      public Optional<String> accountLoginClaim() {
        return Optional.of("preferred_username");
      }
    };
  }
}
