package dev.slipway.deploy.service;

import dev.slipway.deploy.ChangePush;
import dev.slipway.events.Person;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may not approve a change: everyone who wrote, committed or pushed a commit of any push since
 * the environment's release, and whoever asked for a manual run. A person matches a caller by the
 * Git host's account id where the payload gives one, by the account's login on that host, by an
 * e-mail address known to be the caller's, or by the caller's own user name (the platform's local
 * tokens carry no linked accounts). Every rule only widens the exclusion, so an author who used
 * another name somewhere is still caught by the others. Pure: no database, no clock.
 */
public final class FourEyes {

  private FourEyes() {}

  /**
   * Why {@code caller} may not approve the promotion of {@code pushes} (newest first, the approved
   * run's push among them) into {@code environment}; empty when they may.
   */
  public static Optional<String> refusal(
      Caller caller, List<ChangePush> pushes, String environment) {
    for (ChangePush push : pushes) {
      String commit = "commit " + shortSha(push.commitSha());
      String after =
          " and cannot approve its promotion to " + environment + "; another approver must";
      if (push.author() != null && matches(caller, push.provider(), push.author())) {
        return Optional.of(
            caller.name() + " wrote " + commit + " (author " + push.author().name() + ")" + after);
      }
      if (matchesActor(caller, push.provider(), push.actor())) {
        return Optional.of(
            caller.name()
                + ("manual".equals(push.provider()) ? " asked for the run of " : " pushed ")
                + commit
                + " (the run's actor)"
                + after);
      }
      for (Person person : push.contributors()) {
        if (matches(caller, push.provider(), person)) {
          return Optional.of(
              caller.name()
                  + " wrote, committed or pushed a commit of the change up to "
                  + commit
                  + " (as "
                  + describe(push.provider(), person)
                  + ")"
                  + after);
        }
      }
    }
    return Optional.empty();
  }

  static boolean matches(Caller caller, String provider, Person person) {
    if (caller.account(provider, person.id(), person.username()).isPresent()) {
      return true;
    }
    if (person.email() != null
        && caller.emails().stream().anyMatch(e -> e.equalsIgnoreCase(person.email().trim()))) {
      return true;
    }
    return caller.is(person.username()) || caller.is(person.email()) || caller.is(person.name());
  }

  private static boolean matchesActor(Caller caller, String provider, String actor) {
    if (actor == null || actor.isBlank()) {
      return false;
    }
    return caller.is(actor) || caller.account(provider, null, actor).isPresent();
  }

  private static String describe(String provider, Person person) {
    List<String> parts = new ArrayList<>();
    if (person.username() != null) {
      parts.add(
          (provider == null ? "" : provider.toLowerCase(Locale.ROOT) + " account ")
              + person.username());
    }
    if (person.id() != null) {
      parts.add("id " + person.id());
    }
    if (parts.isEmpty()) {
      parts.add(person.email() != null ? person.email() : person.name());
    }
    return String.join(", ", parts);
  }

  private static String shortSha(String sha) {
    return sha == null ? "?" : sha.substring(0, Math.min(7, sha.length()));
  }
}
