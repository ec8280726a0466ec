package dev.slipway.console.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one-time sign-in link: who may use it, how often, how late. */
class LoginTicketsTest {

  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  private final TestConfig config = new TestConfig(KEY, TestKeys.publicKeyLocation());
  private final ObjectMapper json = new ObjectMapper();
  private final Sessions sessions = new Sessions(config, json);
  private final LoginTickets tickets =
      new LoginTickets(sessions, new TokenVerifier(config), config, json);

  private String ticket(String token, Instant expires, String nonce) {
    return new SealedBox(KEY)
        .seal(
            LoginTickets.PURPOSE,
            "{\"token\":\""
                + token
                + "\",\"exp\":"
                + expires.getEpochSecond()
                + ",\"nonce\":\""
                + nonce
                + "\"}");
  }

  private String grace() {
    return TestKeys.token(
        "grace", List.of("approver", "viewer"), Instant.now().plus(Duration.ofHours(8)));
  }

  @Test
  void aFreshTicketSignsInOnceWithTheTokensUserAndRoles() {
    String ticket = ticket(grace(), Instant.now().plusSeconds(300), "nonce-0000000000001");

    LoginTickets.Outcome first = tickets.redeem(ticket);
    assertThat(first.refusal()).isNull();
    assertThat(first.session().user()).isEqualTo("grace");
    assertThat(first.session().roles()).containsExactlyInAnyOrder("approver", "viewer");
    assertThat(first.session().csrf()).hasSizeGreaterThan(20);

    LoginTickets.Outcome second = tickets.redeem(ticket);
    assertThat(second.session()).isNull();
    assertThat(second.refusal()).contains("used already");
  }

  @Test
  void anExpiredTicketIsRefused() {
    LoginTickets.Outcome outcome =
        tickets.redeem(ticket(grace(), Instant.now().minusSeconds(1), "nonce-0000000000002"));
    assertThat(outcome.session()).isNull();
    assertThat(outcome.refusal()).contains("expired");
  }

  @Test
  void aTicketThatClaimsToLiveLongerThanALinkMayIsRefused() {
    LoginTickets.Outcome outcome =
        tickets.redeem(
            ticket(grace(), Instant.now().plus(Duration.ofDays(30)), "nonce-0000000000003"));
    assertThat(outcome.session()).isNull();
  }

  @Test
  void aTicketSealedWithAnotherKeyIsRefused() {
    String forged =
        new SealedBox(
                Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes()))
            .seal(
                LoginTickets.PURPOSE,
                "{\"token\":\""
                    + grace()
                    + "\",\"exp\":"
                    + Instant.now().plusSeconds(60).getEpochSecond()
                    + ",\"nonce\":\"nonce-0000000000004\"}");
    assertThat(tickets.redeem(forged).session()).isNull();
  }

  @Test
  void aTokenNotSignedByThePlatformKeyIsRefused() {
    String foreign =
        TestKeys.foreignToken("mallory", List.of("admin"), Instant.now().plusSeconds(3600));
    LoginTickets.Outcome outcome =
        tickets.redeem(ticket(foreign, Instant.now().plusSeconds(60), "nonce-0000000000005"));
    assertThat(outcome.session()).isNull();
    assertThat(outcome.refusal()).contains("token");
  }

  @Test
  void anExpiredTokenIsRefused() {
    String old = TestKeys.token("grace", List.of("viewer"), Instant.now().minusSeconds(600));
    assertThat(
            tickets
                .redeem(ticket(old, Instant.now().plusSeconds(60), "nonce-0000000000006"))
                .session())
        .isNull();
  }

  @Test
  void theSessionEndsWithTheToken() {
    Instant tokenEnd = Instant.now().plusSeconds(1800);
    String shortLived = TestKeys.token("grace", List.of("viewer"), tokenEnd);
    Session session =
        tickets
            .redeem(ticket(shortLived, Instant.now().plusSeconds(60), "nonce-0000000000007"))
            .session();
    assertThat(session.expiresAt().getEpochSecond()).isEqualTo(tokenEnd.getEpochSecond());
  }

  @Test
  void aSessionCookieRoundTripsAndATamperedOneIsRefused() {
    Session session =
        tickets
            .redeem(ticket(grace(), Instant.now().plusSeconds(60), "nonce-0000000000008"))
            .session();
    String cookie = sessions.seal(session);
    assertThat(sessions.open(cookie)).contains(session);
    String tampered =
        cookie.substring(0, cookie.length() - 2) + (cookie.endsWith("A") ? "BB" : "AA");
    assertThat(sessions.open(tampered)).isEmpty();
    assertThat(Sessions.csrfMatches(session, session.csrf())).isTrue();
    assertThat(Sessions.csrfMatches(session, session.csrf() + "x")).isFalse();
    assertThat(Sessions.csrfMatches(session, null)).isFalse();
  }
}
