package dev.slipway.events.attestation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Reads an OCI registry anonymously, as a verifier outside the platform does: manifests and blobs,
 * each checked against the digest it was asked by (a registry is not trusted to serve what it was
 * asked for), and the referrers API. Plain HTTP for loopback registries or when asked.
 */
public final class RegistryReader {

  private static final String MANIFEST_TYPES =
      String.join(
          ", ",
          OciAttestations.OCI_MANIFEST,
          OciAttestations.OCI_INDEX,
          "application/vnd.docker.distribution.manifest.v2+json",
          "application/vnd.docker.distribution.manifest.list.v2+json");
  private static final long MAX_MANIFEST = 4L * 1024 * 1024;
  private static final long MAX_BLOB = 64L * 1024 * 1024;

  // One client for every reader: a deployer verifies an image per rollout, and a client of its own
  // each time would open a new connection (and start a selector thread) for every verification.
  // The reads are anonymous, so nothing of one reader's is seen by another.
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();

  private final String base;

  /** A reader of {@code registry} ({@code host[:port]}). */
  public RegistryReader(String registry, boolean plainHttp) {
    this.base = (plainHttp ? "http://" : "https://") + registry + "/v2/";
  }

  /** Whether {@code registry} is on this machine, where plain HTTP is the norm. */
  public static boolean isLoopback(String registry) {
    return registry.startsWith("127.") || registry.startsWith("localhost");
  }

  /** A manifest as served, or empty on 404. */
  public record Manifest(byte[] bytes, String mediaType, String digest) {}

  /** {@code repository:reference}; by digest, its content must have that digest. */
  public Optional<Manifest> manifest(String repository, String reference) throws IOException {
    HttpResponse<InputStream> response =
        get(repository + "/manifests/" + reference, MANIFEST_TYPES);
    if (response.statusCode() == 404) {
      response.body().close();
      return Optional.empty();
    }
    byte[] body = expectOk(response, "manifest " + repository + ":" + reference, MAX_MANIFEST);
    String digest = sha256(body);
    if (reference.startsWith("sha256:") && !digest.equals(reference)) {
      throw new IOException(
          "the registry served manifest " + reference + " with content of digest " + digest);
    }
    return Optional.of(new Manifest(body, contentType(response), digest));
  }

  /** The blob {@code digest} of {@code repository}, checked against its digest. */
  public byte[] blob(String repository, String digest) throws IOException {
    byte[] body = expectOk(get(repository + "/blobs/" + digest, "*/*"), "blob " + digest, MAX_BLOB);
    if (!sha256(body).equals(digest)) {
      throw new IOException("the registry served blob " + digest + " with other content");
    }
    return body;
  }

  /**
   * The referrers API's index for {@code digest}, or empty when the registry has no referrers API
   * (the OCI distribution spec: anything but 200 with an image index).
   */
  public Optional<byte[]> referrers(String repository, String digest) throws IOException {
    HttpResponse<InputStream> response =
        get(repository + "/referrers/" + digest, OciAttestations.OCI_INDEX);
    if (response.statusCode() != 200 || !OciAttestations.OCI_INDEX.equals(contentType(response))) {
      response.body().close();
      return Optional.empty();
    }
    return Optional.of(expectOk(response, "referrers of " + digest, MAX_MANIFEST));
  }

  private HttpResponse<InputStream> get(String path, String accept) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", accept)
            .GET()
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      throw new IOException("registry " + base + " unreachable: " + e.getMessage(), e);
    }
  }

  private static byte[] expectOk(HttpResponse<InputStream> response, String what, long max)
      throws IOException {
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException(what + ": HTTP " + response.statusCode());
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = body.read(buffer)) > 0; ) {
        total += n;
        if (total > max) {
          throw new IOException(what + " is larger than " + max + " bytes");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    }
  }

  private static String contentType(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Content-Type")
        .map(t -> t.split(";")[0].trim())
        .orElse("");
  }

  /** {@code sha256:<hex>} of {@code content}. */
  public static String sha256(byte[] content) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
