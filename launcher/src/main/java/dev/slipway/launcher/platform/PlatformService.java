package dev.slipway.launcher.platform;

import java.util.Arrays;
import java.util.Optional;

/** The five services of the platform: module, port of a local run, database. */
public enum PlatformService {
  TRIGGER("trigger-service", 8081),
  BUILD("build-service", 8082),
  SCAN("scan-service", 8083),
  DEPLOY("deploy-service", 8084),
  AUDIT("audit-service", 8085);

  private final String module;
  private final int localPort;

  PlatformService(String module, int localPort) {
    this.module = module;
    this.localPort = localPort;
  }

  /** The Maven module, and the name a service goes by everywhere: {@code build-service}. */
  public String module() {
    return module;
  }

  /** Its port in a local run ({@code ./slipway up}). */
  public int localPort() {
    return localPort;
  }

  /** Its own PostgreSQL database: {@code slipway_build}. */
  public String database() {
    return "slipway_" + module.replace("-service", "");
  }

  /** The service named {@code name}, with or without its {@code -service} suffix. */
  public static Optional<PlatformService> named(String name) {
    return Arrays.stream(values())
        .filter(s -> s.module.equals(name) || s.module.equals(name + "-service"))
        .findFirst();
  }

  @Override
  public String toString() {
    return module;
  }
}
