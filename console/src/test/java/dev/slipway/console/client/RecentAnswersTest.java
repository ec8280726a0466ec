package dev.slipway.console.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecentAnswersTest {

  private final RecentAnswers recent = new RecentAnswers();
  private final AtomicInteger fetched = new AtomicInteger();
  private final AtomicInteger served = new AtomicInteger();

  private CompletableFuture<ApiResult<String>> ask(String token, ApiResult<String> answer) {
    return recent.get(
        token,
        "/api/apps/shop/environments/prod/drift",
        Duration.ofMinutes(1),
        () -> {
          fetched.incrementAndGet();
          return CompletableFuture.completedFuture(answer);
        },
        served::incrementAndGet);
  }

  @Test
  void anAnswerIsReusedForTheSameUserOnly() {
    assertThat(ask("token-a", ApiResult.of("in sync")).join().value()).isEqualTo("in sync");
    assertThat(ask("token-a", ApiResult.of("drifted")).join().value()).isEqualTo("in sync");
    assertThat(ask("token-b", ApiResult.of("drifted")).join().value()).isEqualTo("drifted");
    assertThat(fetched).hasValue(2);
    assertThat(served).hasValue(1);
  }

  @Test
  void aFailureIsNeverKept() {
    ApiResult<String> failed =
        ApiResult.failed(ApiProblem.unreachable(Service.DEPLOY, "no answer in time"));
    assertThat(ask("token-a", failed).join().ok()).isFalse();
    assertThat(ask("token-a", ApiResult.of("in sync")).join().value()).isEqualTo("in sync");
    assertThat(fetched).hasValue(2);
  }

  @Test
  void anExpiredAnswerIsAskedForAgain() {
    Duration none = Duration.ZERO;
    recent.get("t", "/x", none, () -> done("first"), served::incrementAndGet).join();
    assertThat(recent.get("t", "/x", none, () -> done("second"), served::incrementAndGet).join())
        .extracting(ApiResult::value)
        .isEqualTo("second");
    assertThat(served).hasValue(0);
  }

  private static CompletableFuture<ApiResult<String>> done(String value) {
    return CompletableFuture.completedFuture(ApiResult.of(value));
  }
}
