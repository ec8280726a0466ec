package dev.slipway.events;

/**
 * Someone named by a Git host: a commit author or a pusher.
 *
 * @param name display name, required
 * @param email may be null when the host hides it
 * @param username the account name on the Git host, may be null
 */
public record Person(String name, String email, String username) {

  public Person {
    Require.text(name, "name");
  }
}
