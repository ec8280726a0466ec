package dev.slipway.trigger.repository;

import dev.slipway.trigger.Application;
import dev.slipway.trigger.GitProvider;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The application registry in trigger-service's own PostgreSQL database. */
@ApplicationScoped
public class ApplicationRepository implements PanacheRepositoryBase<Application, String> {

  /** Every application, by name. */
  public Uni<List<Application>> allByName() {
    return listAll(Sort.by("name"));
  }

  /** At most {@code limit} applications by name, those after {@code after} when it is given. */
  public Uni<List<Application>> pageByName(String after, int limit) {
    return (after == null ? findAll(Sort.by("name")) : find("name > ?1", Sort.by("name"), after))
        .range(0, limit - 1)
        .list();
  }

  /** The applications whose webhooks come from {@code provider}. */
  public Uni<List<Application>> forProvider(GitProvider provider) {
    return list("provider", Sort.by("name"), provider);
  }
}
