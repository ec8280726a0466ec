package dev.slipway.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {

  @TempDir Path keys;

  private final PrintStream notes = new PrintStream(new ByteArrayOutputStream());

  @Test
  void tokenCarriesUserRolesAndIssuer() throws Exception {
    String token =
        TokenCommand.run(
            new String[] {"--role", "deployer", "--role", "viewer", "--user", "ada"}, keys, notes);

    String claims = claims(token);
    assertThat(claims)
        .contains("\"upn\":\"ada\"")
        .contains("\"iss\":\"https://slipway.dev\"")
        .contains("\"deployer\"")
        .contains("\"viewer\"");
  }

  @Test
  void keyPairIsMadeOnceAndReused() throws Exception {
    TokenCommand.run(new String[] {"--role", "admin", "--user", "ada"}, keys, notes);
    String first = Files.readString(keys.resolve(TokenCommand.PUBLIC_KEY));

    TokenCommand.run(new String[] {"--role", "admin", "--user", "bob"}, keys, notes);

    assertThat(Files.readString(keys.resolve(TokenCommand.PUBLIC_KEY))).isEqualTo(first);
    assertThat(Files.readString(keys.resolve(TokenCommand.PRIVATE_KEY)))
        .startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void unknownRoleIsRefused() {
    assertThatThrownBy(
            () -> TokenCommand.run(new String[] {"--role", "root", "--user", "ada"}, keys, notes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown role root");
  }

  @Test
  void userIsRequired() {
    assertThatThrownBy(() -> TokenCommand.run(new String[] {"--role", "viewer"}, keys, notes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--user");
  }

  private static String claims(String token) {
    String[] parts = token.split("\\.");
    assertThat(parts).hasSize(3);
    return new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
  }
}
