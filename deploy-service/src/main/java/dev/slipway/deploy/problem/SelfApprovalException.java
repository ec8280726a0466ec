package dev.slipway.deploy.problem;

import dev.slipway.problem.ProblemException;

/** The caller wrote or pushed the change they try to approve: 403, saying which. */
public class SelfApprovalException extends ProblemException {

  public SelfApprovalException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 403;
  }

  @Override
  public String kind() {
    return "self-approval";
  }

  @Override
  public String title() {
    return "Self-approval is not allowed";
  }
}
