package dev.slipway.audit.rest;

import dev.slipway.problem.NotPermittedException;
import io.quarkus.security.identity.SecurityIdentity;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The applications a caller may see: all for an auditor and for a viewer whose token lists none;
 * for a viewer whose token carries the applications claim, only those.
 *
 * @param applications the visible applications, sorted; null for all
 */
record ApplicationScope(List<String> applications) {

  static ApplicationScope of(SecurityIdentity identity, JsonWebToken token, String claim) {
    if (identity.hasRole(AuditResource.AUDITOR) || token == null || !token.containsClaim(claim)) {
      return new ApplicationScope(null);
    }
    Object value = token.getClaim(claim);
    TreeSet<String> names = new TreeSet<>();
    if (value instanceof Collection<?> list) {
      list.forEach(v -> names.add(unquoted(String.valueOf(v))));
    } else if (value != null) {
      names.add(unquoted(String.valueOf(value)));
    }
    return new ApplicationScope(List.copyOf(names));
  }

  /** {@code application} if the caller may see it, else a 403 naming it. */
  String allow(String application) {
    if (applications != null && application != null && !applications.contains(application)) {
      throw new ApplicationNotVisibleException(application);
    }
    return application;
  }

  /** JSON-P strings from the claim print with their quotes. */
  private static String unquoted(String text) {
    return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")
        ? text.substring(1, text.length() - 1)
        : text;
  }

  /** The caller's token does not list the application asked for; answered with 403. */
  static class ApplicationNotVisibleException extends NotPermittedException {
    ApplicationNotVisibleException(String application) {
      super("The token's applications do not include '" + application + "'.", "application");
    }
  }
}
