package dev.slipway.console.rest;

import dev.slipway.console.client.ApiProblem;
import dev.slipway.console.session.Session;
import dev.slipway.console.session.Sessions.Notice;
import java.util.ArrayList;
import java.util.List;

/**
 * What every page's layout needs: its title, the navigation entry it belongs to, who is signed in
 * (with the CSRF secret its forms carry), the one-shot notice, and what the services could not
 * answer while the page was made.
 *
 * @param title the page's title
 * @param section the navigation entry to mark as current
 * @param session the signed-in user, or null on the sign-in page
 * @param notice the outcome of the last action, or null
 * @param problems what some service could not answer, shown at the top of the page
 */
public record PageContext(
    String title, String section, Session session, Notice notice, List<ApiProblem> problems) {

  /** A context for a page of {@code current}'s user. */
  static PageContext of(String title, String section, CurrentSession current) {
    return new PageContext(
        title,
        section,
        current.optional().orElse(null),
        current.notice().orElse(null),
        new ArrayList<>());
  }

  /** Notes that a service could not answer something this page shows. */
  public void note(ApiProblem problem) {
    if (problem != null && !problems.contains(problem)) {
      problems.add(problem);
    }
  }

  /** The CSRF secret the page's forms carry. */
  public String csrf() {
    return session == null ? "" : session.csrf();
  }

  /** Whether the user's token grants {@code role}. */
  public boolean can(String role) {
    return session != null && session.has(role);
  }

  /** Whether the user may change builds (cancel, retry) or roll back: deployer or admin. */
  public boolean deployer() {
    return session != null && session.hasAny("deployer", "admin");
  }

  /** Whether the user may read the audit store: viewer or auditor. */
  public boolean auditReader() {
    return session != null && session.hasAny("viewer", "auditor");
  }
}
