package dev.slipway.deploy.problem;

import dev.slipway.problem.ProblemException;

/** The approval, release or rollout named does not exist: 404. */
public class NotFoundException extends ProblemException {

  public NotFoundException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String kind() {
    return "not-found";
  }

  @Override
  public String title() {
    return "Not found";
  }
}
