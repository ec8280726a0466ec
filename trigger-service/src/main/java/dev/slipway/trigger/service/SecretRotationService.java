package dev.slipway.trigger.service;

import dev.slipway.trigger.api.SecretRotation;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Re-encrypts every webhook secret under the current key, without downtime: each instance already
 * decrypts with every configured key, and each row is swapped only if it still holds the ciphertext
 * that was read (a concurrent PUT wins). Run it after every instance has the new key; drop the old
 * key afterwards.
 */
@ApplicationScoped
public class SecretRotationService {

  private static final Logger LOG = Logger.getLogger(SecretRotationService.class);
  private static final String SECRETS =
      "SELECT name, webhook_secret FROM applications ORDER BY name";
  private static final String SWAP =
      """
      UPDATE applications SET webhook_secret = $3, version = version + 1
      WHERE name = $1 AND webhook_secret = $2
      """;

  private final Pool pool;
  private final SecretCipher cipher;
  private final ApplicationIndex index;

  public SecretRotationService(Pool pool, SecretCipher cipher, ApplicationIndex index) {
    this.pool = pool;
    this.cipher = cipher;
    this.index = index;
  }

  /** Re-encrypts what is not under the current key; says what it did. */
  public Uni<SecretRotation> rotate() {
    return pool.query(SECRETS)
        .execute()
        .map(
            rows -> {
              List<Stored> stored = new ArrayList<>();
              for (Row row : rows) {
                stored.add(new Stored(row.getString(0), row.getBuffer(1).getBytes()));
              }
              return stored;
            })
        .flatMap(stored -> EventLoop.offload(() -> plan(stored)))
        .flatMap(
            plan ->
                Multi.createFrom()
                    .iterable(plan.swaps())
                    .onItem()
                    .transformToUniAndConcatenate(
                        swap ->
                            pool.preparedQuery(SWAP)
                                .execute(Tuple.of(swap.name(), swap.before(), swap.after()))
                                .map(updated -> updated.rowCount()))
                    .collect()
                    .with(Collectors.summingInt(Integer::intValue))
                    .map(
                        rotated ->
                            new SecretRotation(
                                cipher.currentKeyId(),
                                rotated,
                                plan.alreadyCurrent(),
                                plan.unreadable())))
        .call(index::refresh)
        .invoke(
            result ->
                LOG.infof(
                    "webhook secrets re-encrypted under key %s: %d rotated, %d already, %d"
                        + " unreadable %s",
                    result.keyId(),
                    result.rotated(),
                    result.alreadyCurrent(),
                    result.unreadable().size(),
                    result.unreadable()));
  }

  private Plan plan(List<Stored> stored) {
    List<Swap> swaps = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    int current = 0;
    for (Stored row : stored) {
      if (cipher.keyIdOf(row.ciphertext()).equals(cipher.currentKeyId())) {
        current++;
        continue;
      }
      try {
        byte[] secret = cipher.decrypt(row.name(), row.ciphertext());
        String clear = new String(secret, StandardCharsets.UTF_8);
        swaps.add(
            new Swap(
                row.name(),
                Buffer.buffer(row.ciphertext()),
                Buffer.buffer(cipher.encrypt(row.name(), clear))));
      } catch (SecretCipher.UnreadableSecretException e) {
        unreadable.add(row.name());
      }
    }
    return new Plan(swaps, current, unreadable);
  }

  private record Stored(String name, byte[] ciphertext) {}

  private record Swap(String name, Buffer before, Buffer after) {}

  private record Plan(List<Swap> swaps, int alreadyCurrent, List<String> unreadable) {}
}
