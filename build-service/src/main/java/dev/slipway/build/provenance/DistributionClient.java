package dev.slipway.build.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.events.attestation.OciAttestations;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few OCI distribution API calls attaching attestations needs and Jib's registry client does
 * not offer: a manifest read as raw bytes with its media type (so another tool's fields in an index
 * survive a rewrite), a manifest write that reports whether the registry indexed its {@code
 * subject} ({@code OCI-Subject}), and blob uploads. Credentials as for Jib: Basic with the
 * configured user, and the registry token flow when the registry answers with a {@code Bearer}
 * challenge. Plain HTTP for registries configured as insecure.
 */
final class DistributionClient {

  static final String MANIFEST_TYPES =
      String.join(
          ", ",
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.oci.image.index.v1+json",
          "application/vnd.docker.distribution.manifest.v2+json",
          "application/vnd.docker.distribution.manifest.list.v2+json");
  private static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private final String base;
  private final Optional<String> basic;
  private final Duration timeout;
  private final HttpClient http;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  /** A manifest as the registry serves it. */
  record Manifest(byte[] bytes, String mediaType, String digest) {}

  /**
   * A manifest written.
   *
   * @param digest its digest
   * @param subjectIndexed whether the registry said it indexed the manifest's subject
   */
  record Pushed(String digest, boolean subjectIndexed) {}

  DistributionClient(
      String registry,
      boolean insecure,
      Optional<String> username,
      Optional<String> password,
      Duration timeout) {
    this.base = (insecure ? "http://" : "https://") + registry + "/v2/";
    this.basic =
        username.flatMap(
            u ->
                password.map(
                    p ->
                        "Basic "
                            + Base64.getEncoder()
                                .encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8))));
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** The manifest {@code repository:reference}, checked against its digest; empty on 404. */
  Optional<Manifest> manifest(String repository, String reference) throws RegistryCallException {
    HttpResponse<byte[]> response =
        send(
            repository,
            HttpRequest.newBuilder(uri(repository + "/manifests/" + reference))
                .header("Accept", MANIFEST_TYPES)
                .GET());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    expect(response, 200, "GET manifest " + repository + ":" + reference);
    byte[] body = response.body();
    if (body.length > MAX_MANIFEST_BYTES) {
      throw new RegistryCallException(
          "manifest " + repository + ":" + reference + " is larger than 4 MiB");
    }
    String digest = sha256(body);
    if (reference.startsWith("sha256:") && !reference.equals(digest)) {
      throw new RegistryCallException(
          "the registry served manifest "
              + repository
              + "@"
              + reference
              + " with content of digest "
              + digest);
    }
    String mediaType =
        response.headers().firstValue("Content-Type").map(t -> t.split(";")[0].trim()).orElse("");
    return Optional.of(new Manifest(body, mediaType, digest));
  }

  /** Uploads {@code content} unless the repository has it; returns its digest. */
  String pushBlob(String repository, byte[] content) throws RegistryCallException {
    String digest = sha256(content);
    HttpResponse<byte[]> head =
        send(
            repository,
            HttpRequest.newBuilder(uri(repository + "/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    return head.statusCode() == 200 ? digest : uploadBlob(repository, content);
  }

  /**
   * Uploads {@code content} without asking first whether the repository has it: for content that is
   * new by construction (a fresh signature), one round trip fewer. Returns its digest.
   */
  String uploadBlob(String repository, byte[] content) throws RegistryCallException {
    String digest = sha256(content);
    HttpResponse<byte[]> start =
        send(
            repository,
            HttpRequest.newBuilder(uri(repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    expect(start, 202, "POST blob upload to " + repository);
    String location =
        start
            .headers()
            .firstValue("Location")
            .orElseThrow(() -> new RegistryCallException("blob upload without a Location"));
    URI upload = URI.create(base).resolve(location);
    String separator = upload.getQuery() == null ? "?" : "&";
    HttpResponse<byte[]> done =
        send(
            repository,
            HttpRequest.newBuilder(
                    URI.create(
                        upload
                            + separator
                            + "digest="
                            + URLEncoder.encode(digest, StandardCharsets.UTF_8)))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
    expect(done, 201, "PUT blob " + digest + " to " + repository);
    return digest;
  }

  /** Writes a manifest as {@code repository:reference} (a tag, or its own digest). */
  Pushed putManifest(String repository, String reference, String mediaType, byte[] body)
      throws RegistryCallException {
    HttpResponse<byte[]> response =
        send(
            repository,
            HttpRequest.newBuilder(uri(repository + "/manifests/" + reference))
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    expect(response, 201, "PUT manifest " + repository + ":" + reference);
    return new Pushed(
        sha256(body),
        response.headers().firstValue(OciAttestations.OCI_SUBJECT_HEADER).isPresent());
  }

  private HttpResponse<byte[]> send(String repository, HttpRequest.Builder request)
      throws RegistryCallException {
    request.timeout(timeout);
    String token = tokens.get(repository);
    if (token != null) {
      request.setHeader("Authorization", "Bearer " + token);
    } else {
      basic.ifPresent(b -> request.setHeader("Authorization", b));
    }
    HttpRequest built = request.build();
    HttpResponse<byte[]> response = call(built);
    if (response.statusCode() == 401) {
      Optional<String> challenge =
          response.headers().firstValue("WWW-Authenticate").filter(c -> c.startsWith("Bearer "));
      if (challenge.isPresent()) {
        tokens.put(repository, token(challenge.get(), repository));
        response =
            call(
                HttpRequest.newBuilder(built, (name, value) -> !name.equals("Authorization"))
                    .header("Authorization", "Bearer " + tokens.get(repository))
                    .build());
      }
    }
    return response;
  }

  /** A token from the challenge's realm for pull and push on {@code repository}. */
  private String token(String challenge, String repository) throws RegistryCallException {
    Map<String, String> params = new HashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1), m.group(2));
    }
    String realm = params.get("realm");
    if (realm == null) {
      throw new RegistryCallException("the registry's Bearer challenge names no realm");
    }
    StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
    if (params.containsKey("service")) {
      url.append("service=")
          .append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8))
          .append('&');
    }
    url.append("scope=")
        .append(
            URLEncoder.encode("repository:" + repository + ":pull,push", StandardCharsets.UTF_8));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout).GET();
    basic.ifPresent(b -> request.header("Authorization", b));
    HttpResponse<byte[]> response = call(request.build());
    expect(response, 200, "GET token from " + realm);
    try {
      JsonNode json = EventJson.mapper().readTree(response.body());
      String token = json.path("token").asText(json.path("access_token").asText(""));
      if (token.isEmpty()) {
        throw new RegistryCallException("the token endpoint " + realm + " returned no token");
      }
      return token;
    } catch (IOException e) {
      throw new RegistryCallException("the token endpoint " + realm + " returned no JSON");
    }
  }

  private HttpResponse<byte[]> call(HttpRequest request) throws RegistryCallException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new RegistryCallException(
          request.method() + " " + request.uri() + ": registry unreachable (" + e + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryCallException(request.method() + " " + request.uri() + ": interrupted");
    }
  }

  private static void expect(HttpResponse<byte[]> response, int status, String what)
      throws RegistryCallException {
    if (response.statusCode() != status) {
      String body = new String(response.body(), StandardCharsets.UTF_8);
      throw new RegistryCallException(
          what
              + ": HTTP "
              + response.statusCode()
              + (body.isBlank() ? "" : " " + body.strip().lines().findFirst().orElse("")));
    }
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  /** {@code sha256:<hex>} of {@code content}. */
  static String sha256(byte[] content) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A registry call that failed: unreachable, refused, or answered with the wrong content. */
  static final class RegistryCallException extends Exception {
    RegistryCallException(String message) {
      super(message);
    }
  }
}
