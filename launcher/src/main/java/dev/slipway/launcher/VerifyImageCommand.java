package dev.slipway.launcher;

import dev.slipway.events.attestation.ImageVerifier;
import dev.slipway.events.attestation.PublicKeys;
import dev.slipway.events.attestation.RegistryReader;
import dev.slipway.events.attestation.SlsaProvenance;
import dev.slipway.events.attestation.Statement;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code ./slipway verify-image REGISTRY/REPOSITORY@sha256:DIGEST --key FILE|--keys-url URL}:
 * checks that an image carries a SLSA provenance signed by one of build-service's keys and naming
 * the image, offline: nothing but the registry and the keys is asked. KEY is a PEM file of public
 * keys (or the JSON of {@code GET /api/builds/keys}); the URL is that endpoint. Prints the source
 * repository and commit of the image. Exit status: 0 verified, 1 not, 2 usage or an unreachable
 * registry.
 */
public final class VerifyImageCommand {

  private static final Pattern REFERENCE =
      Pattern.compile(
          "^(?<registry>[^/@]+)/(?<repository>[a-z0-9][a-z0-9._/-]*)@(?<digest>sha256:[0-9a-f]{64})$");

  private VerifyImageCommand() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args, System.out) ? 0 : 1);
    } catch (IllegalArgumentException e) {
      System.err.println("slipway verify-image: " + e.getMessage());
      System.err.println(
          "usage: slipway verify-image REGISTRY/REPOSITORY@sha256:DIGEST"
              + " (--key FILE | --keys-url URL)... [--plain-http]");
      System.exit(2);
    } catch (IOException e) {
      System.err.println("slipway verify-image: " + e.getMessage());
      System.exit(2);
    }
  }

  /** Verifies and prints what it found; true when a signed provenance names the image. */
  public static boolean run(String[] args, PrintStream out) throws IOException {
    String image = null;
    List<String> keyFiles = new ArrayList<>();
    List<String> keyUrls = new ArrayList<>();
    boolean plainHttp = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--key" -> keyFiles.add(value(args, ++i, "--key"));
        case "--keys-url" -> keyUrls.add(value(args, ++i, "--keys-url"));
        case "--plain-http" -> plainHttp = true;
        default -> {
          if (image != null || args[i].startsWith("--")) {
            throw new IllegalArgumentException("unexpected argument " + args[i]);
          }
          image = args[i];
        }
      }
    }
    if (image == null) {
      throw new IllegalArgumentException("an image REGISTRY/REPOSITORY@sha256:DIGEST is required");
    }
    Matcher ref = REFERENCE.matcher(image);
    if (!ref.matches()) {
      throw new IllegalArgumentException(
          image + " is not REGISTRY/REPOSITORY@sha256:DIGEST (a tag can move: name the digest)");
    }
    List<ECPublicKey> keys = new ArrayList<>();
    for (String file : keyFiles) {
      keys.addAll(keysIn(Files.readString(Path.of(file), StandardCharsets.UTF_8), file));
    }
    for (String url : keyUrls) {
      keys.addAll(keysIn(fetch(url), url));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no public key given: --key FILE or --keys-url URL");
    }
    String registry = ref.group("registry");
    String repository = ref.group("repository");
    String digest = ref.group("digest");
    RegistryReader reader =
        new RegistryReader(registry, plainHttp || RegistryReader.isLoopback(registry));
    out.println("image:    " + image);
    out.println(
        "keys:     " + keys.stream().map(PublicKeys::keyId).collect(Collectors.joining(", ")));
    ImageVerifier.Report report = new ImageVerifier(reader, keys).verify(repository, digest);
    out.println("found:    " + report.discovery());
    for (ImageVerifier.Finding finding : report.findings()) {
      out.println(
          "  "
              + kind(finding.predicateType())
              + " (in "
              + String.join(", ", finding.foundIn())
              + "): "
              + (finding.problem() == null
                  ? "verified, signed by " + finding.keyId()
                  : "NOT counted: " + finding.problem()));
    }
    report.findings().stream()
        .filter(f -> f.problem() == null && f.components() != null)
        .findFirst()
        .ifPresent(f -> out.println("sbom:     " + f.components() + " components, signed"));
    if (!report.verified()) {
      out.println(
          "FAILED: "
              + (report.findings().isEmpty()
                  ? "the image has no attestation: it is unsigned, or not built by Slipway"
                  : "no provenance signed by a trusted key names this image ("
                      + report.findings().stream()
                          .filter(f -> f.problem() != null)
                          .map(ImageVerifier.Finding::problem)
                          .distinct()
                          .collect(Collectors.joining("; "))
                      + ")"));
      return false;
    }
    for (SlsaProvenance provenance : report.provenances()) {
      SlsaProvenance.Source source = provenance.buildDefinition().externalParameters().source();
      SlsaProvenance.BuildMetadata metadata = provenance.runDetails().metadata();
      out.println("source:   " + source.repository());
      out.println(
          "commit:   " + source.commit() + (source.ref() == null ? "" : " (" + source.ref() + ")"));
      out.println(
          "built by: "
              + provenance.runDetails().builder().id()
              + (metadata == null
                  ? ""
                  : ", build " + metadata.invocationId() + ", finished " + metadata.finishedOn()));
    }
    out.println("VERIFIED");
    return true;
  }

  private static String kind(String predicateType) {
    if (predicateType == null) {
      return "attestation";
    }
    return switch (predicateType) {
      case Statement.SLSA_PROVENANCE_V1 -> "provenance";
      case Statement.CYCLONEDX_BOM -> "sbom";
      default -> predicateType;
    };
  }

  /** Public keys in PEM text, the JSON of {@code GET /api/builds/keys}, or a JWK Set. */
  static List<ECPublicKey> keysIn(String text, String source) {
    return PublicKeys.parse(text, source);
  }

  private static String fetch(String url) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException(url + ": HTTP " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }
}
