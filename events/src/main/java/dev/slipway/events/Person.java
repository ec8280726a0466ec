package dev.slipway.events;

/**
 * Someone named by a Git host: a commit author or committer, or a pusher.
 *
 * @param name display name, required
 * @param email may be null when the host hides it; as written in the commit unless the host says
 *     otherwise, so it proves nothing on its own
 * @param username the account name on the Git host, may be null
 * @param id the account's id on the Git host (stable across renames), when the payload gives it;
 *     absent in events written before this field
 */
public record Person(String name, String email, String username, String id) {

  public Person {
    Require.text(name, "name");
  }

  /** Someone the host names without an account id. */
  public Person(String name, String email, String username) {
    this(name, email, username, null);
  }
}
