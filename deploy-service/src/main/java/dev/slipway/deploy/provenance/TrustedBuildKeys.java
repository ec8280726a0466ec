package dev.slipway.deploy.provenance;

import dev.slipway.events.attestation.PublicKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The build keys deploy-service trusts ({@code slipway.deploy.trusted-build-keys}): read from a
 * file, or fetched from a URL and kept for {@code keys-cache}. When a fetch fails the keys fetched
 * last are used (logged); with none ever fetched, nothing verifies and every rollout is refused,
 * saying why. Blocking.
 */
@ApplicationScoped
public class TrustedBuildKeys {

  private static final Logger LOG = Logger.getLogger(TrustedBuildKeys.class);

  private final Optional<String> source;
  private final Duration cache;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private List<ECPublicKey> keys;
  private long fetchedAt;

  public TrustedBuildKeys(ProvenanceConfig config) {
    this.source = config.trustedBuildKeys().map(String::strip).filter(s -> !s.isEmpty());
    this.cache = config.provenance().keysCache();
  }

  /** Whether keys are configured at all. */
  public boolean configured() {
    return source.isPresent();
  }

  /** Where the keys come from. */
  public String source() {
    return source.orElse("(none)");
  }

  /** The trusted keys; an {@link IOException} says why there are none. */
  public synchronized List<ECPublicKey> current() throws IOException {
    String where = source.orElseThrow(() -> new IOException("no trusted build keys configured"));
    boolean remote = where.startsWith("http://") || where.startsWith("https://");
    if (keys != null && (!remote || System.nanoTime() - fetchedAt < cache.toNanos())) {
      return keys;
    }
    try {
      String text =
          remote ? fetch(where) : Files.readString(Path.of(where), StandardCharsets.UTF_8);
      keys = List.copyOf(PublicKeys.parse(text, where));
      fetchedAt = System.nanoTime();
      LOG.infof(
          "trusted build keys from %s: %s", where, keys.stream().map(PublicKeys::keyId).toList());
      return keys;
    } catch (IOException | IllegalArgumentException e) {
      if (keys != null) {
        LOG.warnf(
            "trusted build keys could not be refreshed from %s (%s); keeping the %d read before",
            where, e.getMessage(), keys.size());
        fetchedAt = System.nanoTime();
        return keys;
      }
      throw new IOException(
          "trusted build keys unavailable from " + where + ": " + e.getMessage(), e);
    }
  }

  private String fetch(String url) throws IOException {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofSeconds(10))
                  .header("Accept", "application/json")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("HTTP " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
