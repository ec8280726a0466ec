package dev.slipway.trigger.service;

import dev.slipway.events.BuildSettings;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.SourceSpec;
import dev.slipway.trigger.Application;
import dev.slipway.trigger.api.ApplicationRequest;
import dev.slipway.trigger.api.ApplicationView;
import dev.slipway.trigger.api.BuildBody;
import dev.slipway.trigger.api.EnvironmentBody;
import dev.slipway.trigger.api.ScanPolicyBody;
import dev.slipway.trigger.api.SourceBody;
import dev.slipway.trigger.config.TriggerConfig;
import dev.slipway.trigger.messaging.AccessPolicyRelay;
import dev.slipway.trigger.problem.ApplicationExistsException;
import dev.slipway.trigger.problem.ApplicationNotFoundException;
import dev.slipway.trigger.repository.AccessRepository;
import dev.slipway.trigger.repository.ApplicationRepository;
import dev.slipway.trigger.service.ApplicationValidator.ValidApplication;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The application registry: create, read, replace and delete applications. */
@ApplicationScoped
public class ApplicationService {

  private static final Logger LOG = Logger.getLogger(ApplicationService.class);
  private static final String UNIQUE_VIOLATION = "23505";

  private final ApplicationRepository applications;
  private final AccessRepository access;
  private final SecretCipher cipher;
  private final ApplicationIndex index;
  private final AccessPolicyRelay relay;
  private final Optional<URI> publicUrl;

  public ApplicationService(
      ApplicationRepository applications,
      AccessRepository access,
      SecretCipher cipher,
      ApplicationIndex index,
      AccessPolicyRelay relay,
      TriggerConfig config) {
    this.applications = applications;
    this.access = access;
    this.cipher = cipher;
    this.index = index;
    this.relay = relay;
    this.publicUrl = config.publicUrl();
  }

  /**
   * Registers a new application; 409 when the name is taken. {@code base} is the request's base
   * URI, for the webhook URL shown (unless a public URL is configured).
   */
  public Uni<ApplicationView> create(ApplicationRequest request, URI base, String actor) {
    return Uni.createFrom()
        .item(() -> ApplicationValidator.validate(request, null))
        .flatMap(
            valid ->
                applications
                    .pool()
                    .withTransaction(
                        tx ->
                            applications
                                .find(tx, valid.name())
                                .flatMap(
                                    existing -> {
                                      if (existing.isPresent()) {
                                        return Uni.createFrom().failure(exists(valid.name()));
                                      }
                                      Application application = new Application();
                                      application.name = valid.name();
                                      application.createdAt = now();
                                      apply(valid, application);
                                      return applications
                                          .insert(tx, application)
                                          .call(
                                              app ->
                                                  logChange(tx, actor, "application.created", app));
                                    }))
                    .onFailure(ApplicationService::isUniqueViolation)
                    .transform(failure -> exists(valid.name())))
        .invoke(app -> LOG.infof("application %s registered for %s", app.name, app.repoUrl))
        .call(index::refresh)
        .call(relay::changed)
        .map(app -> view(app, base));
  }

  /** A page of applications by name: at most {@code limit}, after {@code after} when given. */
  public Uni<List<ApplicationView>> page(String after, int limit, URI base) {
    return applications
        .pageByName(after, limit)
        .map(page -> page.stream().map(app -> view(app, base)).toList());
  }

  /** One application; 404 when unknown. */
  public Uni<ApplicationView> get(String name, URI base) {
    return find(name).map(app -> view(app, base));
  }

  /** Replaces an application's settings; the secret stays when the request leaves it out. */
  public Uni<ApplicationView> replace(
      String name, ApplicationRequest request, URI base, String actor) {
    return Uni.createFrom()
        .item(() -> ApplicationValidator.validate(request, name))
        .flatMap(
            valid ->
                applications
                    .pool()
                    .withTransaction(
                        tx ->
                            find(tx, name)
                                .invoke(application -> apply(valid, application))
                                .flatMap(application -> applications.update(tx, application))
                                .call(
                                    app ->
                                        logChange(
                                            tx,
                                            actor,
                                            valid.webhookSecret() == null
                                                ? "application.updated"
                                                : "application.updated, webhook secret replaced",
                                            app))))
        .invoke(app -> LOG.infof("application %s updated", app.name))
        .call(index::refresh)
        .call(relay::changed)
        .map(app -> view(app, base));
  }

  /** Removes an application; 404 when unknown. */
  public Uni<Void> delete(String name, String actor) {
    return applications
        .pool()
        .withTransaction(
            tx ->
                find(tx, name)
                    .flatMap(app -> applications.delete(tx, app))
                    .call(app -> logChange(tx, actor, "application.deleted", app)))
        .invoke(app -> LOG.infof("application %s deleted", app.name))
        .call(index::refresh)
        .call(relay::changed)
        .replaceWithVoid();
  }

  /** The application named {@code name}; 404 when unknown. */
  public Uni<Application> find(String name) {
    return find(applications.pool(), name);
  }

  /** The application named {@code name}, read through {@code client}; 404 when unknown. */
  private Uni<Application> find(SqlClient client, String name) {
    return applications
        .find(client, name)
        .map(
            found ->
                found.orElseThrow(
                    () ->
                        new ApplicationNotFoundException(
                            "No application is named '" + name + "'.")));
  }

  /**
   * Records the change in the access log, in the transaction that made it: the application's team,
   * repository and gates are part of the access policy every service decides with.
   */
  private Uni<Long> logChange(SqlClient tx, String actor, String action, Application app) {
    String detail =
        "repository "
            + app.repoUrl
            + ", team "
            + (app.team == null ? "none" : app.team)
            + ", environments "
            + app.environments.stream()
                .map(e -> e.name() + " (" + e.promotion().name().toLowerCase(Locale.ROOT) + ")")
                .toList();
    return access.log(tx, actor, action, app.name, detail);
  }

  private void apply(ValidApplication valid, Application application) {
    application.team = valid.team();
    application.repoUrl = valid.repoUrl();
    application.provider = valid.provider();
    if (valid.webhookSecret() != null) {
      application.webhookSecret = cipher.encrypt(valid.name(), valid.webhookSecret());
    }
    application.branchFilters = valid.branches();
    application.tagFilters = valid.tags();
    application.environments = valid.environments();
    application.scanFailOn = valid.failOn();
    application.scanIgnoreUnfixed = valid.ignoreUnfixed();
    application.scanDeniedLicenses = valid.deniedLicenses();
    application.scanUnknownSeverityAs = valid.unknownSeverityAs();
    application.scanAllowWithoutDatabase = valid.allowWithoutDatabase();
    application.sourceCloneUrl = valid.source().cloneUrl();
    application.sourceCredentialsRef = valid.source().credentialsRef();
    application.sourceDirectory = valid.source().directory();
    application.buildDefaultBranch = valid.build().defaultBranch();
    application.buildProtectedRefs = valid.build().protectedRefs();
    application.buildSecrets = valid.build().secrets();
    application.updatedAt = now();
  }

  private ApplicationView view(Application application, URI base) {
    URI root = publicUrl.orElse(base);
    String prefix = root.toString().endsWith("/") ? root.toString() : root + "/";
    SourceSpec source = application.pipeline().source();
    return new ApplicationView(
        application.name,
        application.repoUrl,
        application.provider.id(),
        prefix + "webhooks/" + application.provider.id() + "/" + application.name,
        application.branchFilters,
        application.tagFilters,
        application.environments.stream().map(ApplicationService::body).toList(),
        new ScanPolicyBody(
            application.scanFailOn.name().toLowerCase(Locale.ROOT),
            application.scanIgnoreUnfixed,
            application.scanDeniedLicenses,
            application.scanUnknownSeverityAs.name().toLowerCase(Locale.ROOT),
            application.scanAllowWithoutDatabase),
        source.cloneUrl() == null && source.credentialsRef() == null && source.directory() == null
            ? null
            : new SourceBody(source.cloneUrl(), source.credentialsRef(), source.directory()),
        application.team,
        build(application.pipeline().build()),
        application.createdAt,
        application.updatedAt);
  }

  private static BuildBody build(BuildSettings settings) {
    return new BuildBody(
        settings.defaultBranch(),
        settings.protectedRefs(),
        settings.secrets().stream()
            .map(g -> new BuildBody.SecretGrantBody(g.secret(), g.refs(), g.environments()))
            .toList());
  }

  private static EnvironmentBody body(EnvironmentSpec spec) {
    return new EnvironmentBody(
        spec.name(),
        spec.cluster(),
        spec.namespace(),
        spec.promotion().name().toLowerCase(Locale.ROOT),
        spec.requiredApprovals(),
        spec.strategy().name().toLowerCase(Locale.ROOT),
        spec.canarySteps(),
        DeploymentValidator.view(spec.deployment()),
        spec.approvalExpiry());
  }

  private static ApplicationExistsException exists(String name) {
    return new ApplicationExistsException(
        "An application named '" + name + "' already exists.", "name");
  }

  private static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
        return true;
      }
    }
    return false;
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}
