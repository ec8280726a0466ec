package dev.slipway.console.client;

/**
 * Why a call to a service gave no value: the problem+json the service answered (RFC 9457), or a
 * status 0 when it did not answer in time.
 *
 * @param service which service
 * @param status the HTTP status; 0 when the service could not be reached
 * @param title the problem's title
 * @param detail the problem's detail, shown to the user as the service wrote it
 */
public record ApiProblem(Service service, int status, String title, String detail) {

  /** The service did not answer (connection refused, timeout). */
  public static ApiProblem unreachable(Service service, String why) {
    return new ApiProblem(service, 0, service.label() + " did not answer", why);
  }

  /** Whether the user's role may not do or read this. */
  public boolean forbidden() {
    return status == 403;
  }

  /** One line for a page. */
  public String summary() {
    String head =
        status == 0
            ? title
            : service.label() + " answered " + status + (title == null ? "" : " " + title);
    return detail == null || detail.isBlank() ? head : head + ": " + detail;
  }
}
