package dev.slipway.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Points a Quarkus service under test at the real broker and database of {@link
 * SlipwayInfrastructure} and makes it trust {@link TestTokens}.
 */
public class SlipwayTestResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    SlipwayInfrastructure.PostgresServer postgres = SlipwayInfrastructure.postgres();
    String hostAndPort = postgres.host() + ":" + postgres.port();
    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", SlipwayInfrastructure.bootstrapServers());
    config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
    config.put(
        "quarkus.datasource.reactive.url",
        "postgresql://" + hostAndPort + "/" + postgres.database());
    config.put("quarkus.datasource.username", postgres.username());
    config.put("quarkus.datasource.password", postgres.password());
    config.put("mp.jwt.verify.publickey.location", TestTokens.publicKeyLocation());
    config.put("mp.jwt.verify.issuer", TestTokens.ISSUER);
    config.put("slipway.auth.issuers.local.public-key-location", TestTokens.publicKeyLocation());
    config.put("slipway.auth.issuers.local.issuer", TestTokens.ISSUER);
    return config;
  }

  @Override
  public void stop() {
    // The containers serve every test class of this JVM; Testcontainers removes them at exit.
  }
}
