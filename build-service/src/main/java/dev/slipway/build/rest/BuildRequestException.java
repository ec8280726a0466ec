package dev.slipway.build.rest;

import dev.slipway.problem.ProblemException;
import dev.slipway.problem.Problems;

/** A request about a build that the API refuses: an unknown build, a conflict, a bad parameter. */
public final class BuildRequestException extends ProblemException {

  private final int status;
  private final String kind;
  private final String title;

  private BuildRequestException(
      int status, String kind, String title, String detail, String field) {
    super(detail, field);
    this.status = status;
    this.kind = kind;
    this.title = title;
  }

  /** 404: no build with this id. */
  public static BuildRequestException unknownBuild(String id) {
    return notFound("There is no build " + id + ".");
  }

  /** 404: the build exists but not what the request names of it. */
  public static BuildRequestException notFound(String detail) {
    return new BuildRequestException(404, "not-found", "Not Found", detail, null);
  }

  /** 409: the build's state does not allow the request. */
  public static BuildRequestException conflict(String detail) {
    return new BuildRequestException(409, "conflict", "Conflict", detail, null);
  }

  /** 400 naming the query parameter or header at fault. */
  public static BuildRequestException invalid(String field, String detail) {
    return new BuildRequestException(400, "invalid-input", "Invalid input", detail, field);
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public String title() {
    return title;
  }

  /** A 404 means no more than its status. */
  @Override
  public String type() {
    return status == 404 ? Problems.ABOUT_BLANK : super.type();
  }
}
