package dev.slipway.launcher.platform;

import java.nio.file.Path;

/**
 * Where a platform's files are: the checkout it runs from ({@code top}: the packaged jars, the
 * advisories, the audit store's bootstrap script) and its state folder ({@code .slipway/} for
 * {@code ./slipway up}, {@code target/e2e/} for the end-to-end tests): logs, pid files, secrets,
 * repositories, build workspaces, the registry's storage and the sandbox's kubeconfig.
 *
 * @param top the repository's root folder
 * @param state the state folder
 */
public record PlatformLayout(Path top, Path state) {

  public PlatformLayout {
    top = top.toAbsolutePath().normalize();
    state = state.toAbsolutePath().normalize();
  }

  /** One log file per process: {@code logs/build-service.log}. */
  public Path logs() {
    return state.resolve("logs");
  }

  /** One pid file per running process. */
  public Path run() {
    return state.resolve("run");
  }

  /** Secrets made on first use, owner-only, never committed. */
  public Path secrets() {
    return state.resolve("secrets");
  }

  /** Git repositories build-service may clone over {@code file://}. */
  public Path git() {
    return state.resolve("git");
  }

  /** build-service's workspaces and Buildah storage. */
  public Path build() {
    return state.resolve("build");
  }

  /** The audit log's checkpoint key and its latest checkpoint. */
  public Path audit() {
    return state.resolve("audit");
  }

  /** The latest checkpoint audit-service signed: the witness its integrity check compares with. */
  public Path auditCheckpoint() {
    return audit().resolve("checkpoint");
  }

  /** The sandbox Kubernetes API's kubeconfig. */
  public Path sandbox() {
    return state.resolve("sandbox");
  }

  /** The loopback registry's configuration and storage. */
  public Path registry() {
    return state.resolve("registry");
  }

  /** A service's packaged application. */
  public Path jar(PlatformService service) {
    return top.resolve(service.module()).resolve("target/quarkus-app/quarkus-run.jar");
  }

  /** The sandbox Kubernetes API's runnable jar. */
  public Path sandboxJar() {
    return top.resolve("k8s-sandbox/target/k8s-sandbox.jar");
  }

  /** What a database administrator runs before the audit store's first migration. */
  public Path auditBootstrapSql() {
    return top.resolve("audit-service/src/main/resources/db/admin/bootstrap.sql");
  }

  /** The OSV advisories scan-service imports at start. */
  public Path advisories() {
    return top.resolve("infra/advisories");
  }
}
