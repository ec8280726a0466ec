package dev.slipway.build.rest;

import dev.slipway.problem.ConflictException;
import dev.slipway.problem.InvalidInputException;
import dev.slipway.problem.NotFoundException;

/** The refusals of the build API, as the shared problems every service answers. */
public final class BuildRequestException {

  private BuildRequestException() {}

  /** 404: no build with this id. */
  public static NotFoundException unknownBuild(String id) {
    return notFound("There is no build " + id + ".");
  }

  /** 404: the build exists but not what the request names of it. */
  public static NotFoundException notFound(String detail) {
    return new NotFoundException(detail);
  }

  /** 409: the build's state does not allow the request. */
  public static ConflictException conflict(String detail) {
    return new ConflictException(detail);
  }

  /** 400 naming the query parameter or header at fault. */
  public static InvalidInputException invalid(String field, String detail) {
    return new InvalidInputException(detail, field);
  }
}
