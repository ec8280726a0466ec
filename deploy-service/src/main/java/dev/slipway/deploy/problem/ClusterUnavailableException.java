package dev.slipway.deploy.problem;

import dev.slipway.problem.ProblemException;

/** The environment's cluster could not be asked (unreachable, or it refused the question): 503. */
public class ClusterUnavailableException extends ProblemException {

  public ClusterUnavailableException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 503;
  }

  @Override
  public String kind() {
    return "cluster-unavailable";
  }

  @Override
  public String title() {
    return "Cluster unavailable";
  }
}
