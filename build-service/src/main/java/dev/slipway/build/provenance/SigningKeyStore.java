package dev.slipway.build.provenance;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.events.attestation.PublicKeys;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The key build-service signs attestations with, and the public keys it publishes. The signing key
 * is an ECDSA P-256 pair in one PEM file ({@code PRIVATE KEY}, PKCS#8, then its {@code PUBLIC
 * KEY}); when the file is absent it is made at start (mode 0600, written to a temporary file and
 * moved into place, so two instances sharing the folder end up with the same key). Earlier keys'
 * public halves stay published after a rotation, so attestations they signed keep verifying. Loaded
 * at start: a missing, unreadable or mismatched key stops the service instead of the first build.
 */
@Startup
@ApplicationScoped
public class SigningKeyStore {

  private static final Logger LOG = Logger.getLogger(SigningKeyStore.class);
  private static final Pattern PRIVATE_PEM =
      Pattern.compile(
          "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----",
          Pattern.DOTALL);

  /** Whether a published key signs new attestations or only verifies old ones. */
  public enum KeyStatus {
    ACTIVE,
    RETIRED
  }

  /**
   * A public key as published.
   *
   * @param keyId {@link PublicKeys#keyId}, the {@code keyid} of the envelopes it signs
   * @param algorithm {@link PublicKeys#ALGORITHM}
   * @param status whether it signs new attestations
   * @param publicKey PEM {@code PUBLIC KEY}
   */
  public record PublishedKey(String keyId, String algorithm, KeyStatus status, String publicKey) {}

  /** The active signing key. */
  public record SigningKey(String keyId, ECPrivateKey privateKey, ECPublicKey publicKey) {}

  private final SigningKey active;
  private final List<PublishedKey> published;

  @Inject
  public SigningKeyStore(BuildConfig config) {
    this(config.provenance());
  }

  /** A store of the keys {@code settings} name. */
  public SigningKeyStore(BuildConfig.Provenance settings) {
    this.active = loadOrCreate(settings.keyFile(), settings.generateKey());
    List<PublishedKey> keys = new ArrayList<>();
    keys.add(
        new PublishedKey(
            active.keyId(),
            PublicKeys.ALGORITHM,
            KeyStatus.ACTIVE,
            PublicKeys.toPem(active.publicKey())));
    settings.retiredKeys().map(SigningKeyStore::readRetired).orElse(List.of()).stream()
        .filter(key -> !PublicKeys.keyId(key).equals(active.keyId()))
        .forEach(
            key ->
                keys.add(
                    new PublishedKey(
                        PublicKeys.keyId(key),
                        PublicKeys.ALGORITHM,
                        KeyStatus.RETIRED,
                        PublicKeys.toPem(key))));
    this.published = List.copyOf(keys);
    LOG.infof(
        "attestations are signed with key %s (%s); %d retired key(s) published",
        active.keyId(), settings.keyFile(), published.size() - 1);
  }

  /** The key new attestations are signed with. */
  public SigningKey active() {
    return active;
  }

  /** Every public key a verifier should trust, the active one first. */
  public List<PublishedKey> published() {
    return published;
  }

  private static SigningKey loadOrCreate(Path file, boolean generate) {
    if (!Files.exists(file)) {
      if (!generate) {
        throw new IllegalStateException(
            "no attestation signing key at "
                + file
                + " (slipway.build.provenance.key-file) and generate-key is false");
      }
      create(file);
    }
    try {
      return parse(Files.readString(file, StandardCharsets.US_ASCII), file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the attestation signing key " + file, e);
    }
  }

  /** Reads a key file: its private key and the public key that must belong to it. */
  static SigningKey parse(String pem, Path file) {
    Matcher block = PRIVATE_PEM.matcher(pem);
    if (!block.find()) {
      throw new IllegalStateException(
          file
              + " holds no PEM PRIVATE KEY (PKCS#8) block; make one with: openssl genpkey"
              + " -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem && openssl pkey"
              + " -in key.pem -pubout >> key.pem");
    }
    ECPrivateKey privateKey;
    try {
      privateKey =
          (ECPrivateKey)
              KeyFactory.getInstance("EC")
                  .generatePrivate(
                      new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(block.group(1))));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalStateException(file + ": not an EC private key: " + e.getMessage(), e);
    }
    if (!PublicKeys.isP256(privateKey.getParams())) {
      throw new IllegalStateException(file + ": the signing key must be ECDSA P-256");
    }
    List<ECPublicKey> publicKeys = PublicKeys.readPem(pem);
    if (publicKeys.size() != 1) {
      throw new IllegalStateException(
          file
              + " must hold the private key's PUBLIC KEY block after it (openssl pkey -in key.pem"
              + " -pubout >> key.pem)");
    }
    ECPublicKey publicKey = publicKeys.get(0);
    if (!belongTogether(privateKey, publicKey)) {
      throw new IllegalStateException(file + ": its PUBLIC KEY does not belong to its PRIVATE KEY");
    }
    return new SigningKey(PublicKeys.keyId(publicKey), privateKey, publicKey);
  }

  private static void create(Path file) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      String pem =
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(pair.getPrivate().getEncoded())
              + "\n-----END PRIVATE KEY-----\n"
              + PublicKeys.toPem(pair.getPublic());
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temporary = Files.createTempFile(dir, ".signing-key", ".tmp");
      try {
        restrict(temporary);
        Files.writeString(temporary, pem, StandardCharsets.US_ASCII);
        Files.move(temporary, file);
        Files.writeString(
            file.resolveSibling(file.getFileName() + ".pub"),
            PublicKeys.toPem(pair.getPublic()),
            StandardCharsets.US_ASCII);
        LOG.infof(
            "made a new attestation signing key %s at %s",
            PublicKeys.keyId((ECPublicKey) pair.getPublic()), file);
      } catch (FileAlreadyExistsException e) {
        // another instance made the key first: everyone signs with that one
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the attestation signing key " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a P-256 key pair", e);
    }
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its own permissions apply
    }
  }

  private static List<ECPublicKey> readRetired(Path file) {
    if (!Files.exists(file)) {
      // A Secret without the optional retired-keys.pem mounts no such file: nothing was rotated.
      return List.of();
    }
    try {
      return PublicKeys.readPem(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the retired public keys " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(file + ": " + e.getMessage(), e);
    }
  }

  private static boolean belongTogether(ECPrivateKey privateKey, ECPublicKey publicKey) {
    try {
      byte[] probe = "slipway signing key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(PublicKeys.JCA_SIGNATURE);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(PublicKeys.JCA_SIGNATURE);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
