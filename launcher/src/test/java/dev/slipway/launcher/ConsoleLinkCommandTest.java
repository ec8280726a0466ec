package dev.slipway.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's one-time sign-in link as the launcher makes it. */
class ConsoleLinkCommandTest {

  @TempDir Path state;

  private final PrintStream notes = new PrintStream(new ByteArrayOutputStream());

  @Test
  void theLinkCarriesASealedShortLivedTicketWithTheUsersToken() throws Exception {
    String link =
        ConsoleLinkCommand.run(
            new String[] {"--user", "grace", "--role", "approver", "--role", "viewer"},
            state,
            notes);

    assertThat(link).startsWith("http://localhost:8080/login/link?ticket=");
    String key = Files.readString(state.resolve("secrets/console-session-key")).strip();
    assertThat(Base64.getDecoder().decode(key)).hasSize(32);
    JsonNode ticket = new ObjectMapper().readTree(open(key, link.substring(link.indexOf('=') + 1)));
    long expires = ticket.path("exp").asLong();
    assertThat(expires - Instant.now().getEpochSecond()).isBetween(250L, 300L);
    assertThat(ticket.path("nonce").asText()).hasSizeGreaterThanOrEqualTo(16);
    String[] jwt = ticket.path("token").asText().split("\\.");
    JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt[1]));
    assertThat(claims.path("upn").asText()).isEqualTo("grace");
    assertThat(claims.path("groups").toString()).contains("approver", "viewer");
    assertThat(claims.path("iss").asText()).isEqualTo(TokenCommand.ISSUER);
  }

  @Test
  void twoLinksAreTwoTicketsUnderOneKey() throws Exception {
    String[] args = {"--user", "ada", "--role", "viewer"};
    String first = ConsoleLinkCommand.run(args, state, notes);
    String second = ConsoleLinkCommand.run(args, state, notes);
    assertThat(first).isNotEqualTo(second);
    assertThat(Files.list(state.resolve("secrets"))).hasSize(1);
  }

  @Test
  void refusesUnknownRolesAndMissingArguments() {
    assertThatThrownBy(
            () ->
                ConsoleLinkCommand.run(
                    new String[] {"--user", "ada", "--role", "root"}, state, notes))
        .hasMessageContaining("unknown role root");
    assertThatThrownBy(() -> ConsoleLinkCommand.run(new String[] {"--user", "ada"}, state, notes))
        .hasMessageContaining("required");
    assertThatThrownBy(() -> ConsoleLinkCommand.run(new String[] {"--user"}, state, notes))
        .hasMessageContaining("needs a value");
  }

  /** Opens a ticket the way the console does (AES-256-GCM, associated data login-ticket). */
  private static String open(String base64Key, String ticket) throws Exception {
    byte[] in = Base64.getUrlDecoder().decode(ticket);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.DECRYPT_MODE,
        new SecretKeySpec(Base64.getDecoder().decode(base64Key), "AES"),
        new GCMParameterSpec(128, in, 0, 12));
    cipher.updateAAD("login-ticket".getBytes(StandardCharsets.UTF_8));
    return new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
  }
}
