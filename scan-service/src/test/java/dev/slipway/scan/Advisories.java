package dev.slipway.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.events.EventJson;
import dev.slipway.scan.osv.Advisory;
import dev.slipway.scan.osv.OsvReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real advisories of {@code infra/advisories} and of the per-ecosystem test data ({@code
 * src/test/resources/osv}, see its README), for tests.
 */
public final class Advisories {

  /** The folder ./slipway up imports; tests run from the module folder. */
  public static final Path FOLDER = Path.of("..", "infra", "advisories");

  public static final String LOG4SHELL = "GHSA-jfh8-c2jp-5v3q";
  public static final String LOG4J_45046 = "GHSA-7rjr-3q55-vv33";
  public static final String MINIMIST = "GHSA-xvch-5gv4-984h";
  public static final String LODASH = "GHSA-35jh-r3h4-6jhm";
  public static final String SEMVER = "GHSA-c2qf-rxjj-qqgw";
  public static final String REQUESTS = "GHSA-j8r2-6x86-q33q";
  public static final String JINJA2 = "GHSA-h5c8-rqwp-cp95";
  public static final String PY = "GHSA-w596-4wvx-j9j6";
  public static final String X_TEXT = "GHSA-69ch-w2m2-3vjp";
  public static final String JWT_GO = "GHSA-w73w-5m7g-f7qc";

  /** Per-ecosystem records (src/test/resources/osv). */
  public static final Path TEST_FOLDER = Path.of("src", "test", "resources", "osv");

  public static final String AZURE = "GHSA-m5vv-6r4h-3vj9";
  public static final String TOKIO = "GHSA-fg7r-2g4j-5cgr";
  public static final String PSR7 = "GHSA-q7rv-6hp3-vh96";
  public static final String RACK = "GHSA-wq4h-7r42-5hrr";
  public static final String OIDCC = "GHSA-mj35-2rgf-cv8p";
  public static final String GO_X_NET = "GO-2022-1144";
  public static final String NGINX_DSA = "DSA-3029-1";
  public static final String UBUNTU_LINUX = "UBUNTU-CVE-2025-38094";

  private Advisories() {}

  /** The OSV document of {@code id}, as a tree a test may change. */
  public static ObjectNode document(String id) {
    try {
      return (ObjectNode) EventJson.mapper().readTree(bytes(id));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file of {@code id}, as published. */
  public static byte[] bytes(String id) {
    try {
      Path file = FOLDER.resolve(id + ".json");
      return Files.readAllBytes(Files.exists(file) ? file : TEST_FOLDER.resolve(id + ".json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The advisory {@code id} as read. */
  public static Advisory read(String id) {
    return OsvReader.read(document(id));
  }

  /** {@code document} as JSON bytes. */
  public static byte[] json(JsonNode document) {
    return EventJson.writePayload(document);
  }
}
