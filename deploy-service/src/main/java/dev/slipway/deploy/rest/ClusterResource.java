package dev.slipway.deploy.rest;

import dev.slipway.deploy.client.Cluster;
import dev.slipway.deploy.client.ClusterInfo;
import dev.slipway.deploy.client.ClusterRegistry;
import dev.slipway.problem.Page;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The registered clusters: name, API URL, whether each answers now and its version. */
@Path("/api/clusters")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {

  private final ClusterRegistry clusters;

  public ClusterResource(ClusterRegistry clusters) {
    this.clusters = clusters;
  }

  @GET
  @RolesAllowed({"viewer", "deployer", "approver", "auditor", "admin"})
  public Uni<Page<ClusterInfo>> list() {
    List<Cluster> all = List.copyOf(clusters.all());
    if (all.isEmpty()) {
      return Uni.createFrom().item(new Page<>(List.of(), null));
    }
    // Each probe blocks on its API server (bounded by the cluster's timeouts): side by side, off
    // the event loop.
    List<Uni<ClusterInfo>> probes =
        all.stream()
            .map(
                cluster ->
                    Uni.createFrom()
                        .item(cluster::probe)
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
            .toList();
    // Every registered cluster fits one page: the registry is configuration, not a growing table.
    return Uni.join().all(probes).andCollectFailures().map(infos -> new Page<>(infos, null));
  }
}
