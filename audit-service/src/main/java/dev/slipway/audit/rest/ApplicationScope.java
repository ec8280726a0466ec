package dev.slipway.audit.rest;

import dev.slipway.work.access.Access;
import dev.slipway.work.access.Roles;
import java.util.List;
import java.util.TreeSet;

/**
 * The applications a caller may see: those their role bindings reach (a platform-wide binding:
 * all). An auditor bound to the whole platform sees everything, a team's viewer their team's
 * applications; events that belong to no application (access changes and refusals) only callers
 * bound to the whole platform.
 *
 * @param applications the visible applications, sorted; null for all
 */
record ApplicationScope(List<String> applications) {

  static ApplicationScope of(Access access) {
    return new ApplicationScope(
        access
            .visibleApplications(java.util.Set.of(Roles.VIEWER, Roles.AUDITOR))
            .map(names -> List.copyOf(new TreeSet<>(names)))
            .orElse(null));
  }

  /** {@code application} if the caller may see it, else a 403 naming it. */
  String allow(String application) {
    if (applications != null && application != null && !applications.contains(application)) {
      throw new ApplicationNotVisibleException(application);
    }
    return application;
  }

  /** The caller's token does not list the application asked for; answered with 403. */
  static class ApplicationNotVisibleException extends RuntimeException {
    ApplicationNotVisibleException(String application) {
      super("The caller's role bindings do not reach application '" + application + "'.");
    }
  }
}
