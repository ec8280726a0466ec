package dev.slipway.problem;

/**
 * The caller is known but may not do this, for a reason the service states (beyond a role its token
 * lacks): 403, naming the input at fault when there is one.
 */
public class NotPermittedException extends ProblemException {

  public NotPermittedException(String detail, String field) {
    super(detail, field);
  }

  @Override
  public final int status() {
    return 403;
  }

  @Override
  public String kind() {
    return "not-permitted";
  }
}
