package dev.slipway.build.messaging;

import dev.slipway.events.BuildDone;
import dev.slipway.events.Envelope;
import dev.slipway.events.EventType;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.OutboxContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * build.done through the shared outbox on a real broker: a build.done Kafka refuses (over its 1
 * MiB) is parked and the build.done written after it is still published, where before it held up
 * every later build's outcome for good.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class BuildDoneOutboxIT {

  @Test
  void aBuildDoneKafkaRefusesIsParkedAndTheNextIsPublished() {
    String application = "outbox-" + UUID.randomUUID().toString().substring(0, 8);
    Envelope<BuildDone> next =
        new Envelope<>(
            UUID.randomUUID().toString(),
            "/slipway/build-service",
            EventType.BUILD_DONE.ceType(),
            OffsetDateTime.now(ZoneOffset.UTC),
            application,
            UUID.randomUUID().toString(),
            UUID.randomUUID().toString(),
            SampleEvents.COMMIT,
            SampleEvents.buildDone());

    OutboxContract.refusedRowIsParkedAndTheNextIsDelivered(next);
  }
}
