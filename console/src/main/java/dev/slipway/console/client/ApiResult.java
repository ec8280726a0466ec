package dev.slipway.console.client;

import java.util.Optional;
import java.util.function.Function;

/**
 * What a call to a service gave: its value, or the problem it answered (or why it did not answer),
 * so a page shows what it could read next to what it could not, instead of failing as a whole.
 *
 * @param value the answer, when the call succeeded
 * @param problem why there is no value
 */
public record ApiResult<T>(T value, ApiProblem problem) {

  /** A successful answer. */
  public static <T> ApiResult<T> of(T value) {
    return new ApiResult<>(value, null);
  }

  /** A failed call. */
  public static <T> ApiResult<T> failed(ApiProblem problem) {
    return new ApiResult<>(null, problem);
  }

  /** Whether the call succeeded. */
  public boolean ok() {
    return problem == null;
  }

  /** The value, if the call succeeded. */
  public Optional<T> optional() {
    return Optional.ofNullable(value);
  }

  /** The value, or {@code fallback} when the call failed. */
  public T orElse(T fallback) {
    return ok() ? value : fallback;
  }

  /** This result with its value mapped. */
  public <R> ApiResult<R> map(Function<T, R> mapper) {
    return ok() ? of(mapper.apply(value)) : failed(problem);
  }

  /** Whether the service answered 404. */
  public boolean notFound() {
    return problem != null && problem.status() == 404;
  }
}
