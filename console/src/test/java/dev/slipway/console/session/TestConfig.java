package dev.slipway.console.session;

import dev.slipway.console.config.ConsoleConfig;
import java.time.Duration;
import java.util.Optional;

/** A console configuration for unit tests: a fixed session key and a test public key. */
record TestConfig(String key, String publicKeyLocation) implements ConsoleConfig {

  @Override
  public Services services() {
    throw new UnsupportedOperationException("no services in a unit test");
  }

  @Override
  public Duration requestTimeout() {
    return Duration.ofSeconds(1);
  }

  @Override
  public Duration connectTimeout() {
    return Duration.ofSeconds(1);
  }

  @Override
  public Optional<String> publicUrl() {
    return Optional.empty();
  }

  @Override
  public Session session() {
    return new Session() {
      @Override
      public String key() {
        return key;
      }

      @Override
      public Duration maxAge() {
        return Duration.ofHours(8);
      }

      @Override
      public String issuer() {
        return "https://slipway.dev";
      }

      @Override
      public String publicKeyLocation() {
        return publicKeyLocation;
      }

      @Override
      public Duration linkMaxAge() {
        return Duration.ofMinutes(10);
      }

      @Override
      public boolean oidc() {
        return false;
      }

      @Override
      public String rolesClaim() {
        return "groups";
      }
    };
  }
}
