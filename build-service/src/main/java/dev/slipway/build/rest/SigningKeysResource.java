package dev.slipway.build.rest;

import dev.slipway.build.provenance.SigningKeyStore;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /api/builds/keys}: the public keys that verify the attestations of Slipway's images,
 * the active one first and retired ones after it. Open to anyone, as a JWKS is: a verifier outside
 * the platform (an admission controller, {@code cosign}, {@code ./slipway verify-image}) needs them
 * and they reveal nothing.
 */
@Path("/api/builds/keys")
@Produces(MediaType.APPLICATION_JSON)
public class SigningKeysResource {

  private final SigningKeyStore keys;

  public SigningKeysResource(SigningKeyStore keys) {
    this.keys = keys;
  }

  /** The published keys. */
  public record KeysView(List<SigningKeyStore.PublishedKey> keys) {}

  @GET
  @PermitAll
  public KeysView keys() {
    return new KeysView(keys.published());
  }
}
