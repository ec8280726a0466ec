package dev.slipway.audit.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail, served as {@code application/problem+json}.
 *
 * @param type a URI naming the kind of problem
 * @param title short summary of the kind of problem
 * @param status the HTTP status
 * @param detail what went wrong with this request
 * @param instance the path of the request
 * @param field the input at fault (a query or path parameter), when there is one
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

  /** The media type of problem details. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** A problem without an error id. */
  public Problem(
      String type, String title, int status, String detail, String instance, String field) {
    this(type, title, status, detail, instance, field, null);
  }
}
