package dev.slipway.scan.service;

import dev.slipway.scan.match.MatchedFinding;
import dev.slipway.scan.match.Matcher;
import dev.slipway.scan.repository.AdvisoryRepository;
import dev.slipway.scan.sbom.InstalledPackage;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Matches packages against the database: one lookup for all of them, then {@link Matcher}. */
@ApplicationScoped
public class ComponentMatcher {

  private final AdvisoryRepository advisories;

  public ComponentMatcher(AdvisoryRepository advisories) {
    this.advisories = advisories;
  }

  /** The findings of {@code packages}. */
  public Uni<List<MatchedFinding>> match(List<InstalledPackage> packages) {
    if (packages.isEmpty()) {
      return Uni.createFrom().item(List.of());
    }
    return advisories.candidatesFor(packages).map(rows -> Matcher.match(packages, rows));
  }
}
