package dev.slipway.build.rest;

/** A failure the caller caused or must know about, answered as a problem with this status. */
public class ProblemException extends RuntimeException {

  private final int status;
  private final String title;
  private final String field;

  public ProblemException(int status, String title, String detail, String field) {
    super(detail);
    this.status = status;
    this.title = title;
    this.field = field;
  }

  /** 404: no build with this id. */
  public static ProblemException unknownBuild(String id) {
    return new ProblemException(404, "Not Found", "There is no build " + id + ".", null);
  }

  /** 400 naming the query parameter at fault. */
  public static ProblemException invalid(String field, String detail) {
    return new ProblemException(400, "Invalid input", detail, field);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public String field() {
    return field;
  }
}
