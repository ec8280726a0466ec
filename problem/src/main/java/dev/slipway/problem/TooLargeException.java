package dev.slipway.problem;

/** What the request sends is larger than the service takes: 413, naming the part. */
public class TooLargeException extends ProblemException {

  public TooLargeException(String detail, String field) {
    super(detail, field);
  }

  @Override
  public final int status() {
    return 413;
  }

  @Override
  public String kind() {
    return "too-large";
  }
}
