package dev.slipway.audit.rest;

import dev.slipway.audit.checkpoint.Checkpoint;
import dev.slipway.audit.content.AuditContent;
import dev.slipway.audit.service.CheckpointService;
import dev.slipway.audit.service.CheckpointSigner;
import dev.slipway.audit.service.ProofService;
import dev.slipway.audit.service.ProofService.ConsistencyProof;
import dev.slipway.audit.service.ProofService.InclusionProof;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;

/**
 * What a client needs to hold the log to its word without trusting it: the latest signed checkpoint
 * and the key that signs them, inclusion proofs of rows and consistency proofs between tree sizes.
 * They reveal hashes only. Blocking: they read the tree over JDBC.
 */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({AuditResource.VIEWER, AuditResource.AUDITOR})
@Blocking
public class AuditProofResource {

  private final CheckpointService checkpoints;
  private final CheckpointSigner signer;
  private final ProofService proofs;

  public AuditProofResource(
      CheckpointService checkpoints, CheckpointSigner signer, ProofService proofs) {
    this.checkpoints = checkpoints;
    this.signer = signer;
    this.proofs = proofs;
  }

  /**
   * A checkpoint as the API returns it.
   *
   * @param treeSize rows in the log
   * @param rootHash hex Merkle root
   * @param createdAt when it was signed
   * @param note the C2SP signed note: origin, tree size, base64 root, blank line, signature
   */
  public record CheckpointView(
      long treeSize, String rootHash, OffsetDateTime createdAt, String note) {
    static CheckpointView of(Checkpoint c) {
      return new CheckpointView(
          c.treeSize(), AuditContent.hex(c.rootHash()), c.createdAt(), c.note());
    }
  }

  /**
   * The verifier key of the log.
   *
   * @param origin the log's name, first line of its checkpoints
   * @param algorithm the signature algorithm
   * @param verifierKey the C2SP verifier key, {@code <name>+<hex key id>+base64(0x01 || key)}
   */
  public record KeyView(String origin, String algorithm, String verifierKey) {}

  @GET
  @Path("/checkpoint")
  public CheckpointView checkpoint() {
    return checkpoints
        .latest()
        .map(CheckpointView::of)
        .orElseThrow(() -> new NotAuditedException("no checkpoint has been signed yet"));
  }

  @GET
  @Path("/checkpoint/key")
  public KeyView key() {
    return signer
        .signer()
        .map(s -> new KeyView(signer.origin(), "Ed25519", s.verifierKey()))
        .orElseThrow(() -> new NotAuditedException("no checkpoint signing key is configured"));
  }

  @GET
  @Path("/proof/inclusion")
  public InclusionProof inclusion(
      @QueryParam("seq") String seq, @QueryParam("treeSize") String treeSize) {
    Long row = QueryParameters.sequence("seq", seq);
    if (row == null) {
      throw new BadParameterException("seq", "seq is required: the row to prove");
    }
    return proofs.inclusion(row, QueryParameters.sequence("treeSize", treeSize));
  }

  @GET
  @Path("/proof/consistency")
  public ConsistencyProof consistency(
      @QueryParam("from") String from, @QueryParam("to") String to) {
    Long first = QueryParameters.sequence("from", from);
    if (first == null) {
      throw new BadParameterException("from", "from is required: the smaller tree size");
    }
    return proofs.consistency(first, QueryParameters.sequence("to", to));
  }
}
