package dev.slipway.deploy.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.deploy.support.PrometheusStub;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusClientTest {

  private final PrometheusStub prometheus = new PrometheusStub();
  private final PrometheusClient client = new PrometheusClient();

  @AfterEach
  void stop() {
    prometheus.close();
  }

  @Test
  void firstSampleOfAVectorIsTheValue() {
    prometheus.answer("sum(rate(errors[1m]))", 0.25);

    assertThat(client.query(prometheus.url() + "/", "sum(rate(errors[1m]))")).isEqualTo(0.25);
  }

  @Test
  void emptyResultIsNoData() {
    assertThatThrownBy(() -> client.query(prometheus.url(), "absent_metric"))
        .isInstanceOf(PrometheusClient.PrometheusException.class)
        .hasMessage("the query returned no data");
  }

  @Test
  void prometheusThatCannotBeReachedSaysSo() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    assertThatThrownBy(() -> client.query("http://127.0.0.1:" + closed, "up"))
        .isInstanceOf(PrometheusClient.PrometheusException.class)
        .hasMessageContaining("cannot be reached");
  }
}
