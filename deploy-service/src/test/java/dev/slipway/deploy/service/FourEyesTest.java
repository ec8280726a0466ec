package dev.slipway.deploy.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.deploy.ChangePush;
import dev.slipway.events.AccessPolicy;
import dev.slipway.events.Person;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may not approve, by a table. The change: a GitHub push by linus (account 2001) of a pull
 * request merged in GitHub's UI: ada (account 1001, committing as ada@example.com) wrote its
 * commits, GitHub committed the merge.
 */
class FourEyesTest {

  private static final Person LINUS = new Person("Linus", "linus@example.com", "linus", "2001");
  private static final Person ADA = new Person("Ada Lovelace", "ada@example.com", "ada");
  private static final Person WEB_FLOW = new Person("GitHub", "noreply@github.com", "web-flow");
  private static final List<ChangePush> CHANGE =
      List.of(
          new ChangePush("4c5b6a7d8e9f", "github", "linus", LINUS, List.of(LINUS, ADA, WEB_FLOW)));

  static Stream<Arguments> callers() {
    return Stream.of(
        // caller, refused, why
        Arguments.of(
            caller("corp/x1", "linus.t", List.of(), account("2001", null)), true, "wrote commit"),
        Arguments.of(
            caller("corp/x2", "a.l", List.of(), account(null, "ADA")), true, "github account ada"),
        Arguments.of(caller("corp/x3", "al", List.of("Ada@Example.com"), null), true, "ada"),
        Arguments.of(caller("ada", "ada", List.of(), null), true, "ada"),
        Arguments.of(caller("linus", "linus", List.of(), null), true, "wrote commit"),
        Arguments.of(
            caller("corp/x4", "grace", List.of("grace@example.com"), account("1002", "grace")),
            false,
            null),
        // An account on another host with the same id is someone else.
        Arguments.of(
            caller("corp/x5", "g", List.of(), new AccessPolicy.Account("gitlab", "2001", null)),
            false,
            null));
  }

  @ParameterizedTest(name = "{0}: refused {1}")
  @MethodSource("callers")
  void theAuthorsAndThePusherOfTheChangeMayNotApproveIt(
      Caller caller, boolean refused, String why) {
    var refusal = FourEyes.refusal(caller, CHANGE, "prod");
    assertThat(refusal.isPresent()).isEqualTo(refused);
    if (refused) {
      assertThat(refusal.get())
          .contains(why)
          .endsWith("cannot approve its promotion to prod; another approver must");
    }
  }

  private static Caller caller(
      String user, String name, List<String> emails, AccessPolicy.Account account) {
    return new Caller(user, name, emails, account == null ? List.of() : List.of(account));
  }

  private static AccessPolicy.Account account(String id, String login) {
    return new AccessPolicy.Account("github", id, login);
  }
}
