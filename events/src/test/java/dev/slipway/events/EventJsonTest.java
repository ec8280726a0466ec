package dev.slipway.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventJsonTest {

  static Stream<EventType<?>> eventTypes() {
    return EventType.ALL.stream();
  }

  @ParameterizedTest
  @MethodSource("eventTypes")
  void payloadRoundTripsUnchanged(EventType<?> type) {
    Object payload = SampleEvents.payloadOf(type);

    Object read = EventJson.readPayload(EventJson.writePayload(payload), type.payloadType());

    assertThat(read).isEqualTo(payload);
  }

  @Test
  void unknownFieldsAreIgnored() {
    String json =
        "{\"environment\":\"dev\",\"image\":\"r/app\",\"imageDigest\":\"sha256:1\","
            + "\"reason\":\"MANUAL\",\"requestedBy\":\"ada\",\"addedInV2\":{\"x\":1}}";

    DeployRequested read = EventJson.readPayload(bytes(json), DeployRequested.class);

    assertThat(read.requestedBy()).isEqualTo("ada");
  }

  @Test
  void missingRequiredFieldIsNamed() {
    String json =
        "{\"environment\":\"dev\",\"image\":\"r/app\",\"reason\":\"MANUAL\","
            + "\"requestedBy\":\"ada\"}";

    assertThatThrownBy(() -> EventJson.readPayload(bytes(json), DeployRequested.class))
        .isInstanceOf(EventFormatException.class)
        .hasMessageContaining("imageDigest")
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("imageDigest");
  }

  @Test
  void aScalarOfTheWrongJsonTypeIsRefusedNotConverted() {
    String json =
        new String(EventJson.writePayload(SampleEvents.commitReceived()), StandardCharsets.UTF_8)
            .replaceFirst("\"replicas\":\\d+", "\"replicas\":true");

    assertThatThrownBy(() -> EventJson.readPayload(bytes(json), CommitReceived.class))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .asString()
        .endsWith("replicas");
  }

  @Test
  void missingNestedFieldIsNamedWithItsPath() {
    String json =
        new String(EventJson.writePayload(SampleEvents.commitReceived()), StandardCharsets.UTF_8)
            .replace("\"namespace\":\"shop-prod\",", "");

    assertThatThrownBy(() -> EventJson.readPayload(bytes(json), CommitReceived.class))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("pipeline.environments[1].namespace");
  }

  @Test
  void wrongTypeIsNamed() {
    String json =
        "{\"environment\":\"dev\",\"cluster\":\"c\",\"namespace\":\"n\","
            + "\"status\":\"SUCCEEDED\",\"revision\":\"four\",\"reason\":\"ok\"}";

    assertThatThrownBy(() -> EventJson.readPayload(bytes(json), DeployDone.class))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("revision");
  }

  @Test
  void numberWhereTextIsExpectedIsRejected() {
    String json =
        "{\"environment\":42,\"image\":\"r/app\",\"imageDigest\":\"sha256:1\","
            + "\"reason\":\"MANUAL\",\"requestedBy\":\"ada\"}";

    assertThatThrownBy(() -> EventJson.readPayload(bytes(json), DeployRequested.class))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("environment");
  }

  @Test
  void unknownEnumValueIsNamed() {
    String json =
        "{\"environment\":\"dev\",\"image\":\"r/app\",\"imageDigest\":\"sha256:1\","
            + "\"reason\":\"BECAUSE\",\"requestedBy\":\"ada\"}";

    assertThatThrownBy(() -> EventJson.readPayload(bytes(json), DeployRequested.class))
        .isInstanceOf(EventFormatException.class)
        .hasMessageContaining("BECAUSE")
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("reason");
  }

  @Test
  void notJsonIsRejected() {
    assertThatThrownBy(() -> EventJson.readPayload(bytes("<xml/>"), DeployDone.class))
        .isInstanceOf(EventFormatException.class)
        .hasMessageContaining("not a valid JSON");
  }

  @Test
  void successfulBuildWithoutImageIsRejected() {
    String json =
        "{\"status\":\"SUCCEEDED\",\"sbomRef\":\"s\",\"tests\":{\"passed\":1,"
            + "\"failed\":0,\"skipped\":0},\"durationMs\":5,\"logRef\":\"l\"}";

    assertThatThrownBy(() -> EventJson.readPayload(bytes(json), BuildDone.class))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("image");
  }

  @Test
  void ceTypeFollowsTheTopic() {
    assertThat(EventType.forCeType("dev.slipway.scan.done.v1")).contains(EventType.SCAN_DONE);
    assertThat(EventType.forTopic(Topics.DEPLOY_REQUESTED)).contains(EventType.DEPLOY_REQUESTED);
    assertThat(Topics.dlq(Topics.BUILD_DONE)).isEqualTo("build.done.dlq");
    assertThat(Topics.isDlq("build.done.dlq")).isTrue();
  }

  @ParameterizedTest
  @MethodSource("eventTypes")
  void wholeEventRoundTripsThroughItsStructuredForm(EventType<?> type) {
    Envelope<?> event = SampleEvents.event(type, null);

    Envelope<?> read = EventJson.readAnyEvent(EventJson.writeEvent(event));

    assertThat(read).isEqualTo(event);
  }

  @ParameterizedTest
  @MethodSource("eventTypes")
  void structuredFormHasTheCloudEventsAttributesInOrderAndThePayloadAsWritten(EventType<?> type)
      throws Exception {
    Envelope<?> cause = SampleEvents.event(EventType.COMMIT_RECEIVED, null);
    Envelope<?> event = SampleEvents.event(type, cause);

    JsonNode json = EventJson.mapper().readTree(EventJson.writeEvent(event));

    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    List<String> expected =
        new ArrayList<>(
            List.of(
                "specversion",
                "id",
                "source",
                "type",
                "time",
                "subject",
                "datacontenttype",
                "runid"));
    if (event.causationId() != null) {
      expected.add("causationid");
    }
    if (event.commitSha() != null) {
      expected.add("commitsha");
    }
    expected.add("data");
    assertThat(names).isEqualTo(expected);
    assertThat(json.get("specversion").asText()).isEqualTo("1.0");
    assertThat(json.get("id").asText()).isEqualTo(event.id());
    assertThat(json.get("datacontenttype").asText()).isEqualTo("application/json");
    // Compared as text: a parsed number is the smallest node that holds it, a written long a long.
    assertThat(json.get("data").toString())
        .isEqualTo(EventJson.mapper().valueToTree(event.data()).toString());
  }

  @ParameterizedTest
  @MethodSource("eventTypes")
  void structuredFormIsWrittenOnceWithItsPayloadMeasured(EventType<?> type) {
    Envelope<?> event =
        SampleEvents.event(type, SampleEvents.event(EventType.COMMIT_RECEIVED, null));

    EventJson.StructuredEvent written = EventJson.writeStructured(event);

    assertThat(written.json()).isEqualTo(EventJson.writeEvent(event));
    byte[] payload = EventJson.writePayload(event.data());
    assertThat(written.dataBytes()).isEqualTo(payload.length);
    // The data member is the last one: the payload's bytes, then the closing brace.
    int dataStart = written.json().length - 1 - written.dataBytes();
    assertThat(Arrays.copyOfRange(written.json(), dataStart, written.json().length - 1))
        .isEqualTo(payload);
  }

  @Test
  void structuredEventOfAnUnknownTypeIsNamed() {
    String json =
        new String(
                EventJson.writeEvent(SampleEvents.event(EventType.DEPLOY_DONE, null)),
                StandardCharsets.UTF_8)
            .replace("dev.slipway.deploy.done.v1", "dev.slipway.nothing.v9");

    assertThatThrownBy(() -> EventJson.readAnyEvent(bytes(json)))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("type");
  }

  @Test
  void derivedIdsAreStableAndDistinguishTheirParts() {
    assertThat(Envelope.derivedId("build", "b-1", "done"))
        .isEqualTo(Envelope.derivedId("build", "b-1", "done"))
        .isNotEqualTo(Envelope.derivedId("build", "b-1", "done2"));
    assertThat(Envelope.derivedId("a", "bc")).isNotEqualTo(Envelope.derivedId("ab", "c"));
  }

  @Test
  void eventsOfTheFirstVersionWithoutTheNewerFieldsStillRead() {
    String json =
        "{\"environment\":\"dev\",\"cluster\":\"c\",\"namespace\":\"n\","
            + "\"status\":\"SUCCEEDED\",\"revision\":4,\"reason\":\"ok\"}";

    DeployDone read = EventJson.readPayload(bytes(json), DeployDone.class);

    assertThat(read.imageDigest()).isNull();
    assertThat(read.revision()).isEqualTo(4);
  }

  @Test
  void commitWithoutTheTruncatedFlagReadsAsWhole() {
    ObjectNode json = EventJson.mapper().valueToTree(SampleEvents.commitReceived());
    json.remove("truncated");

    CommitReceived read = EventJson.readPayload(json, CommitReceived.class);

    assertThat(read.truncated()).isFalse();
    assertThat(read).isEqualTo(SampleEvents.commitReceived());
  }

  @Test
  void environmentWithoutDeploymentSettingsTakesTheDefaults() {
    String json =
        "{\"name\":\"dev\",\"cluster\":\"c\",\"namespace\":\"n\",\"promotion\":\"AUTO\","
            + "\"requiredApprovals\":0,\"strategy\":\"ROLLING\"}";

    EnvironmentSpec read = EventJson.readPayload(bytes(json), EnvironmentSpec.class);

    assertThat(read.deployment()).isEqualTo(DeploymentSettings.DEFAULTS);
    assertThat(read.deployment().replicas()).isEqualTo(2);
    assertThat(read.deployment().timeoutSeconds()).isEqualTo(300);
  }

  @Test
  void failedBuildWithoutFailureIsRejected() {
    String json =
        "{\"status\":\"FAILED\",\"tests\":{\"passed\":1,"
            + "\"failed\":0,\"skipped\":0},\"durationMs\":5,\"logRef\":\"l\"}";

    assertThatThrownBy(() -> EventJson.readPayload(bytes(json), BuildDone.class))
        .isInstanceOf(EventFormatException.class)
        .extracting(e -> ((EventFormatException) e).field())
        .isEqualTo("failure");
  }

  @Test
  void imageReferenceKnowsItsRepository() {
    assertThat(new BuildDone.ImageRef("registry:5000/acme/shop:3f2a", "sha256:1").pinned())
        .isEqualTo("registry:5000/acme/shop@sha256:1");
    assertThat(new BuildDone.ImageRef("registry:5000/acme/shop", "sha256:1").repository())
        .isEqualTo("registry:5000/acme/shop");
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
