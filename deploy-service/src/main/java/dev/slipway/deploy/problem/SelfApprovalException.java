package dev.slipway.deploy.problem;

import dev.slipway.problem.NotPermittedException;

/** The caller wrote or pushed the change they try to approve: 403, saying which. */
public class SelfApprovalException extends NotPermittedException {

  public SelfApprovalException(String detail) {
    super(detail, null);
  }

  @Override
  public String kind() {
    return "self-approval";
  }
}
