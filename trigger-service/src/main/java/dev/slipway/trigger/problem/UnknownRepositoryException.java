package dev.slipway.trigger.problem;

/** A webhook for a repository no application is registered for: 404. */
public class UnknownRepositoryException extends ProblemException {

  public UnknownRepositoryException(String detail) {
    super(detail, null);
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String kind() {
    return "unknown-repository";
  }

  @Override
  public String title() {
    return "Unknown repository";
  }
}
