package dev.slipway.events;

import java.time.OffsetDateTime;

/**
 * Payload of {@code access.denied}: API calls a service refused for want of a valid token (401) or
 * a role in scope (403). Identical denials (same service, status, actor, method and path) within a
 * short window are one event with their count, so a caller hammering the API cannot flood the audit
 * store.
 *
 * @param service the service that refused
 * @param status 401 or 403
 * @param method the HTTP method
 * @param path the request path (no query)
 * @param actor who was refused, as their token names them; null for a 401
 * @param reason why, as the caller was told
 * @param count how many identical denials this event stands for (at least 1)
 * @param firstAt when the first of them happened
 */
public record AccessDenied(
    String service,
    int status,
    String method,
    String path,
    String actor,
    String reason,
    int count,
    OffsetDateTime firstAt) {

  public AccessDenied {
    Require.text(service, "service");
    Require.text(method, "method");
    Require.text(path, "path");
    if (count < 1) {
      throw new EventFormatException("count", "must be at least 1");
    }
    Require.present(firstAt, "firstAt");
  }
}
