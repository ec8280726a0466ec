package dev.slipway.work.access;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a verified token into Slipway's caller: the {@link Actor} its issuer's claim mapping
 * describes, and as roles of the security identity only those the actor holds in some scope (by a
 * role binding of one of its groups, or asserted for the platform by an issuer configured to), so
 * {@code @RolesAllowed} refuses at once a caller with no such role anywhere. The token's own {@code
 * groups} are never roles by themselves.
 */
@ApplicationScoped
public class ActorAugmentor implements SecurityIdentityAugmentor {

  /** The identity attribute holding the {@link Actor}. */
  public static final String ACTOR = "slipway.actor";

  private final AuthConfig config;
  private final AccessPolicyFeed feed;

  public ActorAugmentor(AuthConfig config, AccessPolicyFeed feed) {
    this.config = config;
    this.feed = feed;
  }

  @Override
  public Uni<SecurityIdentity> augment(
      SecurityIdentity identity, AuthenticationRequestContext context) {
    if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
      return Uni.createFrom().item(identity);
    }
    Map.Entry<String, AuthConfig.Issuer> issuer =
        config.issuers().entrySet().stream()
            .filter(e -> e.getValue().issuer().equals(token.getIssuer()))
            .findFirst()
            .orElse(null);
    if (issuer == null) {
      return Uni.createFrom().item(identity);
    }
    Actor actor = ActorClaims.read(issuer.getKey(), issuer.getValue(), token.getRawToken());
    Set<String> roles =
        new AccessEvaluator(feed.current(), Bootstrap.bindings(config)).rolesAnywhere(actor);
    QuarkusSecurityIdentity.Builder builder =
        QuarkusSecurityIdentity.builder()
            .setPrincipal(identity.getPrincipal())
            .addCredentials(identity.getCredentials())
            .addAttributes(identity.getAttributes())
            .addAttribute(ACTOR, actor)
            .addRoles(roles);
    return Uni.createFrom().item(builder.build());
  }
}
