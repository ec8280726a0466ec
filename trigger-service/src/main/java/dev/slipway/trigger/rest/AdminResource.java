package dev.slipway.trigger.rest;

import dev.slipway.trigger.api.SecretRotation;
import dev.slipway.trigger.service.SecretRotationService;
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

  public AdminResource(SecretRotationService rotation) {
    this.rotation = rotation;
  }

  /** Re-encrypts every webhook secret under the current key. */
  @POST
  @Path("/rotate-secrets")
  @RolesAllowed("admin")
  public Uni<SecretRotation> rotateSecrets() {
    return rotation.rotate();
  }
}
