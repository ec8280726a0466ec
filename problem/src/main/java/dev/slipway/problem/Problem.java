package dev.slipway.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem details document, served as {@code application/problem+json}.
 *
 * @param type URI naming the kind of problem
 * @param title summary of that kind
 * @param status the HTTP status
 * @param detail what went wrong this time, for a human
 * @param instance the request path
 * @param field the input at fault (query parameter, header, form part or JSON path), when there is
 *     one
 * @param errorId for a 5xx: the id under which the service logged the failure
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    String field,
    String errorId) {

  /** The media type of a problem document. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** A problem without an error id. */
  public Problem(
      String type, String title, int status, String detail, String instance, String field) {
    this(type, title, status, detail, instance, field, null);
  }
}
