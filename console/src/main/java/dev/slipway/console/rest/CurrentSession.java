package dev.slipway.console.rest;

import dev.slipway.console.session.Session;
import dev.slipway.console.session.Sessions.Notice;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;

/**
 * The session and the one-shot notice of the request being served, set by {@link SessionFilter}.
 */
@RequestScoped
public class CurrentSession {

  private Session session;
  private Notice notice;

  public void set(Session session, Notice notice) {
    this.session = session;
    this.notice = notice;
  }

  /** The signed-in user's session; pages are only reached with one. */
  public Session require() {
    if (session == null) {
      throw new IllegalStateException("no session: SessionFilter lets no page through without one");
    }
    return session;
  }

  /** The session, when signed in. */
  public Optional<Session> optional() {
    return Optional.ofNullable(session);
  }

  /** The notice to show once, if any. */
  public Optional<Notice> notice() {
    return Optional.ofNullable(notice);
  }
}
