package dev.slipway.launcher;

import dev.slipway.launcher.console.ConsoleLinks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ./slipway console-link --user U --role R [--role R2] [--url URL]}: a one-time sign-in link
 * to the local console for a user with the given roles, valid for five minutes (printed on the last
 * line). The session it starts holds an 8-hour token signed with the local key.
 */
public final class ConsoleLinkCommand {

  /** How long a link may wait to be opened. */
  static final Duration LINK_TTL = Duration.ofMinutes(5);

  /** How long the session's token lasts. */
  static final Duration TOKEN_TTL = Duration.ofHours(8);

  private ConsoleLinkCommand() {}

  public static void main(String[] args) {
    // The state folder is the one whose jwt/ the launcher signs with (./slipway passes it).
    Path state = TokenCommand.keyDir().toAbsolutePath().getParent();
    try {
      System.out.println(run(args, state, System.err));
    } catch (IllegalArgumentException e) {
      System.err.println("slipway console-link: " + e.getMessage());
      System.err.println(
          "usage: slipway console-link --user USER --role ROLE [--role ROLE] [--url URL]");
      System.exit(2);
    } catch (IOException | GeneralSecurityException e) {
      System.err.println("slipway console-link: " + e.getMessage());
      System.exit(1);
    }
  }

  /** The link for the arguments, with keys under {@code state}. */
  static String run(String[] args, Path state, PrintStream notes)
      throws IOException, GeneralSecurityException {
    Set<String> roles = new LinkedHashSet<>();
    String user = null;
    String url = "http://localhost:8080";
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--role" -> {
          if (!TokenCommand.ROLES.contains(value)) {
            throw new IllegalArgumentException(
                "unknown role " + value + "; one of " + TokenCommand.ROLES);
          }
          roles.add(value);
        }
        case "--user" -> user = value;
        case "--url" -> url = value;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (roles.isEmpty() || user == null || user.isBlank()) {
      throw new IllegalArgumentException("--user and --role are required");
    }
    return link(state, url, user, List.copyOf(roles), notes);
  }

  /** A one-time link for {@code user} with {@code roles} to the console at {@code url}. */
  public static String link(
      Path state, String url, String user, List<String> roles, PrintStream notes)
      throws IOException, GeneralSecurityException {
    String token =
        TokenCommand.sign(state.resolve("jwt"), user, Set.copyOf(roles), TOKEN_TTL, notes);
    String key = ConsoleLinks.sessionKey(state.resolve("secrets"));
    return ConsoleLinks.link(url, ConsoleLinks.ticket(key, token, LINK_TTL));
  }
}
