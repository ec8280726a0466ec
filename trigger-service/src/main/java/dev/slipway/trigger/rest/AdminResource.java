package dev.slipway.trigger.rest;

import dev.slipway.trigger.api.SecretRotation;
import dev.slipway.trigger.service.AccessAdminService;
import dev.slipway.trigger.service.SecretRotationService;
import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Operations on the registry as a whole, for administrators. */
@Path("/api/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

  private final SecretRotationService rotation;
  private final AccessAdminService changes;
  private final Access access;

  public AdminResource(SecretRotationService rotation, AccessAdminService changes, Access access) {
    this.rotation = rotation;
    this.changes = changes;
    this.access = access;
  }

  /** Re-encrypts every webhook secret under the current key. */
  @POST
  @Path("/rotate-secrets")
  @RolesAllowed("admin")
  public Uni<SecretRotation> rotateSecrets() {
    access.require(ADMIN, null);
    String actor = access.actor().user();
    return rotation
        .rotate()
        .call(
            done ->
                changes.logged(
                    actor,
                    "secrets.rotated",
                    done.keyId(),
                    done.rotated() + " webhook secrets re-encrypted under key " + done.keyId()));
  }

  private static final java.util.Set<String> ADMIN = java.util.Set.of(Roles.ADMIN);
}
