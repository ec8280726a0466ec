package dev.slipway.trigger.rest;

import static dev.slipway.trigger.CommitTopic.recordsOf;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.slipway.testsupport.SlipwayTestResource;
import dev.slipway.trigger.CommitTopic;
import dev.slipway.trigger.Database;
import dev.slipway.trigger.Webhooks;
import dev.slipway.trigger.service.SecretCipher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Key rotation without downtime: secrets sealed with an earlier key (here {@code k0}, still
 * configured as a previous key) keep authenticating webhooks, {@code POST
 * /api/admin/rotate-secrets} re-encrypts them under the current key ({@code k1}), and they keep
 * working afterwards. A secret no configured key opens is reported, not rotated.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class SecretRotationIT {

  @Test
  void secretsUnderAnEarlierKeyKeepWorkingAndAreReencryptedUnderTheCurrentOne() {
    String prefix = Webhooks.unique("rotate");
    String old = prefix + "-old";
    String secret = "rotate-secret-" + prefix;
    String broken = prefix + "-lost";
    Webhooks.register(old, "github", "https://github.com/acme/" + old, secret);
    Webhooks.register(broken, "github", "https://github.com/acme/" + broken, secret);
    SecretCipher earlier =
        new SecretCipher("k0", config("slipway.trigger.secret-previous-keys.k0"), Map.of());
    SecretCipher lost =
        new SecretCipher("k9", config("slipway.trigger.secret-previous-keys.k0"), Map.of());
    reseal(old, earlier.encrypt(old, secret));
    reseal(broken, lost.encrypt(broken + "-elsewhere", secret));
    Webhooks.register(
        Webhooks.unique("barrier"), "github", "https://github.com/acme/barrier", "barrier-1");

    Webhooks.pushNewCommit(old, secret).then().statusCode(202);
    given()
        .auth()
        .oauth2(Webhooks.ADMIN)
        .post("/api/admin/rotate-secrets")
        .then()
        .statusCode(200)
        .body("keyId", equalTo("k1"))
        .body("unreadable", hasItem(broken))
        .body("unreadable", not(hasItem(old)));
    Webhooks.pushNewCommit(old, secret).then().statusCode(202);

    SecretCipher current = new SecretCipher(config("slipway.trigger.secret-encryption-key"));
    assertThat(current.keyIdOf(CommitTopic.storedSecret(old))).isEqualTo("k1");
    assertThat(current.decrypt(old, CommitTopic.storedSecret(old))).asString().isEqualTo(secret);
    assertThat(recordsOf(old)).hasSize(2);
    Database.update("DELETE FROM applications WHERE name = ?", broken);
  }

  private static void reseal(String app, byte[] ciphertext) {
    Database.update(
        "UPDATE applications SET webhook_secret = ?, version = version + 1 WHERE name = ?",
        ciphertext,
        app);
  }

  private static String config(String name) {
    return ConfigProvider.getConfig().getValue(name, String.class);
  }
}
