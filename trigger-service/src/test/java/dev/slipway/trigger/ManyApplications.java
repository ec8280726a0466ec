package dev.slipway.trigger;

import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.trigger.service.SecretCipher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Applications inserted into trigger-service's database directly, as a large installation has them:
 * {@code prefix-0} to {@code prefix-(count-1)}, each with the secret {@link #secret}, sealed as the
 * service seals it, a dev and a prod environment, GitHub.
 */
public final class ManyApplications {

  private static final String ENVIRONMENTS =
      "[{\"name\":\"dev\",\"cluster\":\"local\",\"namespace\":\"dev\",\"promotion\":\"AUTO\","
          + "\"requiredApprovals\":0,\"strategy\":\"ROLLING\",\"canarySteps\":[]},"
          + "{\"name\":\"prod\",\"cluster\":\"local\",\"namespace\":\"prod\",\"promotion\":\"MANUAL\","
          + "\"requiredApprovals\":1,\"strategy\":\"CANARY\",\"canarySteps\":[10,50,100]}]";

  private ManyApplications() {}

  /** Inserts {@code count} applications named {@code prefix-N} in one transaction. */
  public static void insert(String prefix, int count) throws Exception {
    SecretCipher cipher =
        new SecretCipher(
            ConfigProvider.getConfig()
                .getValue("slipway.trigger.secret-encryption-key", String.class));
    Timestamp now = Timestamp.from(Instant.now());
    try (Connection db = SlipwayInfrastructure.postgres().connect();
        PreparedStatement insert =
            db.prepareStatement(
                """
                INSERT INTO applications (name, repo_url, provider, webhook_secret, branch_filters,
                  tag_filters, environments, scan_fail_on, scan_ignore_unfixed, created_at,
                  updated_at, version)
                VALUES (?, ?, 'GITHUB', ?, '["**"]', '["**"]', ?, 'HIGH', false, ?, ?, 0)
                """)) {
      db.setAutoCommit(false);
      for (int i = 0; i < count; i++) {
        String name = prefix + "-" + i;
        insert.setString(1, name);
        insert.setString(2, "https://github.com/acme/" + name);
        insert.setBytes(3, cipher.encrypt(name, secret(prefix, i)));
        insert.setString(4, ENVIRONMENTS);
        insert.setTimestamp(5, now);
        insert.setTimestamp(6, now);
        insert.addBatch();
        if (i % 1000 == 999) {
          insert.executeBatch();
        }
      }
      insert.executeBatch();
      db.commit();
    }
  }

  /** The webhook secret of application {@code prefix-i}. */
  public static String secret(String prefix, int i) {
    return "secret-" + prefix + "-" + i;
  }
}
