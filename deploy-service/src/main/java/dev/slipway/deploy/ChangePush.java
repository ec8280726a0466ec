package dev.slipway.deploy;

import dev.slipway.events.Person;
import java.util.List;

/**
 * One push of a change awaiting approval (FourEyes decides who it excludes from approving).
 *
 * @param commitSha its head commit
 * @param provider the Git host, or {@code manual}
 * @param actor who pushed, or the user who asked for a manual run
 * @param author the head commit's author
 * @param contributors everyone who wrote, committed or pushed a commit of it
 */
public record ChangePush(
    String commitSha, String provider, String actor, Person author, List<Person> contributors) {

  public ChangePush {
    contributors = contributors == null ? List.of() : List.copyOf(contributors);
  }
}
