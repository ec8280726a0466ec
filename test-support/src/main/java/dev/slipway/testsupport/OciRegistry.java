package dev.slipway.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * A real OCI registry on loopback for the tests of one JVM: the CNCF Distribution registry from
 * Debian's {@code docker-registry} package (installed by {@code ./slipway test}), started on first
 * use on a free port with its storage under {@code target/}, stopped when the JVM exits. Plain
 * HTTP, no auth, as a local registry is.
 */
public final class OciRegistry {

  /** Media type of an OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  /** Media type of an OCI image index. */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  private static final String BINARY = "docker-registry";
  private static final String MANIFEST_ACCEPT =
      OCI_MANIFEST
          + ", application/vnd.docker.distribution.manifest.v2+json"
          + ", application/vnd.oci.image.index.v1+json"
          + ", application/vnd.docker.distribution.manifest.list.v2+json";

  private static String address;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private OciRegistry() {}

  /** {@code 127.0.0.1:<port>} of the shared registry, started on first call. */
  public static synchronized String address() {
    if (address == null) {
      address = start();
    }
    return address;
  }

  /**
   * The digest the registry serves for {@code repository:reference} (its {@code
   * Docker-Content-Digest}), or null when it has no such manifest.
   */
  public static String manifestDigest(String repository, String reference) {
    HttpResponse<Void> response =
        send(
            HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + reference))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", MANIFEST_ACCEPT)
                .build(),
            HttpResponse.BodyHandlers.discarding());
    return response.statusCode() == 200
        ? response.headers().firstValue("Docker-Content-Digest").orElse(null)
        : null;
  }

  /** The manifest of {@code repository@reference} as the registry serves it. */
  public static String manifest(String repository, String reference) {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + reference))
                .header("Accept", MANIFEST_ACCEPT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "no manifest " + repository + "@" + reference + ": HTTP " + response.statusCode());
    }
    return response.body();
  }

  /** A blob of {@code repository}. */
  public static byte[] blob(String repository, String digest) {
    HttpResponse<byte[]> response =
        send(
            HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/" + digest)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("no blob " + digest + ": HTTP " + response.statusCode());
    }
    return response.body();
  }

  /**
   * Pushes {@code content} as a one-layer OCI artifact (an OCI image manifest whose {@code
   * artifactType} and layer media type are {@code mediaType}, with the empty config) and returns
   * the manifest's digest, e.g. an SBOM for a scan test.
   */
  public static String pushArtifact(
      String repository, String tag, String mediaType, byte[] content) {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    String configDigest = pushBlob(repository, config);
    String layerDigest = pushBlob(repository, content);
    String manifest =
        """
        {"schemaVersion":2,"mediaType":"%s","artifactType":"%s",\
        "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":%d},\
        "layers":[{"mediaType":"%s","digest":"%s","size":%d}]}"""
            .formatted(
                OCI_MANIFEST,
                mediaType,
                configDigest,
                config.length,
                mediaType,
                layerDigest,
                content.length);
    HttpResponse<Void> response =
        send(
            HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofString(manifest))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (response.statusCode() != 201) {
      throw new IllegalStateException("manifest push failed: HTTP " + response.statusCode());
    }
    return digest(manifest.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Pushes an OCI image of gzip-compressed tar {@code layers} (lowest first) with a minimal config
   * and returns its manifest's digest, e.g. a base image whose files a test reads back.
   */
  public static String pushImage(String repository, String tag, List<byte[]> layers) {
    StringBuilder layerJson = new StringBuilder();
    StringBuilder diffIds = new StringBuilder();
    for (byte[] layer : layers) {
      String digest = pushBlob(repository, layer);
      layerJson
          .append(layerJson.length() == 0 ? "" : ",")
          .append(
              """
              {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}"""
                  .formatted(digest, layer.length));
      diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(digest).append('"');
    }
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":["
                + diffIds
                + "]},\"config\":{}}")
            .getBytes(StandardCharsets.UTF_8);
    String configDigest = pushBlob(repository, config);
    String manifest =
        """
        {"schemaVersion":2,"mediaType":"%s",\
        "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
        "layers":[%s]}"""
            .formatted(OCI_MANIFEST, configDigest, config.length, layerJson);
    return pushManifest(repository, tag, OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
  }

  /** Pushes a manifest as {@code repository:reference} and returns its digest. */
  public static String pushManifest(
      String repository, String reference, String mediaType, byte[] manifest) {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + reference))
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "manifest push failed: HTTP " + response.statusCode() + " " + response.body());
    }
    return digest(manifest);
  }

  /** Pushes one blob (monolithic upload) and returns its digest. */
  public static String pushBlob(String repository, byte[] content) {
    String digest = digest(content);
    HttpResponse<Void> start =
        send(
            HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding());
    String location = start.headers().firstValue("Location").orElseThrow();
    URI upload = uri("/").resolve(location);
    String separator = upload.getQuery() == null ? "?" : "&";
    HttpResponse<Void> done =
        send(
            HttpRequest.newBuilder(URI.create(upload + separator + "digest=" + digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    if (done.statusCode() != 201) {
      throw new IllegalStateException("blob push failed: HTTP " + done.statusCode());
    }
    return digest;
  }

  /** {@code sha256:<hex>} of {@code content}. */
  public static String digest(byte[] content) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String start() {
    try {
      int port = freePort();
      Path dir =
          Files.createDirectories(
              Path.of("target", "oci-registry-" + UUID.randomUUID()).toAbsolutePath());
      Path config = dir.resolve("config.yml");
      Files.writeString(
          config,
          """
          version: 0.1
          log:
            level: warn
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          http:
            addr: 127.0.0.1:%d
          """
              .formatted(dir.resolve("data"), port));
      Process process;
      try {
        process =
            new ProcessBuilder(BINARY, "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot start " + BINARY + " (Debian's docker-registry; ./slipway test installs it)",
            e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      String started = "127.0.0.1:" + port;
      address = started;
      awaitReady(process, dir);
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitReady(Process process, Path dir) {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the registry exited, see " + dir.resolve("registry.log"));
      }
      try {
        HttpResponse<Void> response =
            HTTP.send(
                HttpRequest.newBuilder(uri("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the registry did not answer within 30 s");
  }

  private static URI uri(String path) {
    return URI.create("http://" + address() + path);
  }

  private static <T> HttpResponse<T> send(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return HTTP.send(request, handler);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }
}
