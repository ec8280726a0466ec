package dev.slipway.scan.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.EventJson;
import dev.slipway.scan.config.ScanConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the SBOM a build pushed as a one-layer OCI artifact ({@code <registry>/<repo>@sha256:...},
 * layer media type {@code application/vnd.cyclonedx+json}) over the OCI distribution API: the
 * manifest, then its layer blob, each bounded in size and time and checked against its digest.
 * Registries configured as insecure are spoken to over plain HTTP. Anonymous access only.
 */
@ApplicationScoped
public class OciSbomClient {

  /** Media type of a CycloneDX JSON SBOM, as artifact type and layer. */
  public static final String CYCLONEDX_JSON = "application/vnd.cyclonedx+json";

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final long MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
  private static final Pattern REFERENCE =
      Pattern.compile(
          "^(?<registry>[^/]+)/(?<repository>[a-z0-9][^@]*)@(?<digest>sha256:[a-f0-9]{64})$");

  private final ScanConfig config;
  private final HttpClient http;

  public OciSbomClient(ScanConfig config) {
    this.config = config;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.sbom().connectTimeout())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** The SBOM document {@code sbomRef} names. Blocks; call it off the event loop. */
  public byte[] fetch(String sbomRef) throws SbomUnavailableException {
    Matcher ref = REFERENCE.matcher(sbomRef == null ? "" : sbomRef);
    if (!ref.matches()) {
      throw new SbomUnavailableException(
          "sbomRef '" + sbomRef + "' is not <registry>/<repository>@sha256:<digest>", false);
    }
    String base = scheme(ref.group("registry")) + "://" + ref.group("registry") + "/v2/";
    String repository = ref.group("repository");
    String manifestDigest = ref.group("digest");
    byte[] manifest =
        get(
            URI.create(base + repository + "/manifests/" + manifestDigest),
            OCI_MANIFEST,
            MAX_MANIFEST_BYTES,
            "SBOM manifest " + sbomRef);
    verify(manifest, manifestDigest, "SBOM manifest " + sbomRef);
    JsonNode layer = sbomLayer(manifest, sbomRef);
    String layerDigest = layer.path("digest").asText();
    long size = layer.path("size").asLong(-1);
    if (size > config.sbom().maxBytes()) {
      throw new SbomUnavailableException(
          "SBOM "
              + sbomRef
              + " is "
              + size
              + " bytes, more than the "
              + config.sbom().maxBytes()
              + " allowed",
          false);
    }
    byte[] sbom =
        get(
            URI.create(base + repository + "/blobs/" + layerDigest),
            "*/*",
            config.sbom().maxBytes(),
            "SBOM blob " + layerDigest + " of " + sbomRef);
    verify(sbom, layerDigest, "SBOM blob of " + sbomRef);
    return sbom;
  }

  private JsonNode sbomLayer(byte[] manifest, String sbomRef) throws SbomUnavailableException {
    JsonNode tree;
    try {
      tree = EventJson.mapper().readTree(manifest);
    } catch (IOException e) {
      throw new SbomUnavailableException("SBOM manifest " + sbomRef + " is not JSON", false);
    }
    for (JsonNode layer : tree.path("layers")) {
      if (CYCLONEDX_JSON.equals(layer.path("mediaType").asText())
          && layer.path("digest").asText().startsWith("sha256:")) {
        return layer;
      }
    }
    throw new SbomUnavailableException(
        "the artifact " + sbomRef + " has no layer of media type " + CYCLONEDX_JSON, false);
  }

  private byte[] get(URI uri, String accept, long maxBytes, String what)
      throws SbomUnavailableException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(config.sbom().requestTimeout())
            .header("Accept", accept)
            .GET()
            .build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new SbomUnavailableException(what + ": registry unreachable (" + e + ")", true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SbomUnavailableException(what + ": interrupted", true);
    }
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status != 200) {
        boolean passing = status >= 500 || status == 429;
        String detail =
            status == 404
                ? "not found"
                : status == 401 || status == 403
                    ? "access refused (anonymous only)"
                    : "HTTP " + status;
        throw new SbomUnavailableException(
            what + ": " + detail + " (HTTP " + status + ")", passing);
      }
      return readBounded(body, maxBytes, what);
    } catch (IOException e) {
      throw new SbomUnavailableException(what + ": reading failed (" + e + ")", true);
    }
  }

  private static byte[] readBounded(InputStream body, long maxBytes, String what)
      throws IOException, SbomUnavailableException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = body.read(buffer)) > 0; ) {
      total += n;
      if (total > maxBytes) {
        throw new SbomUnavailableException(
            what + " is larger than the " + maxBytes + " bytes allowed", false);
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private static void verify(byte[] content, String digest, String what)
      throws SbomUnavailableException {
    String actual = sha256(content);
    if (!actual.equals(digest)) {
      throw new SbomUnavailableException(
          what + " does not match its digest: expected " + digest + ", got " + actual, false);
    }
  }

  private String scheme(String registry) {
    for (String pattern : config.sbom().insecureRegistries()) {
      String p = pattern.trim();
      if (p.equals(registry)
          || (p.endsWith(":*") && registry.startsWith(p.substring(0, p.length() - 1)))
          || (p.endsWith(":*") && registry.equals(p.substring(0, p.length() - 2)))) {
        return "http";
      }
    }
    return "https";
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
