package dev.slipway.scan.messaging;

import dev.slipway.events.DeployDone;
import dev.slipway.events.EventType;
import dev.slipway.events.PayloadDeserializer;

/** Kafka value deserializer of {@code deploy.done}. */
public class DeployDoneDeserializer extends PayloadDeserializer<DeployDone> {
  public DeployDoneDeserializer() {
    super(EventType.DEPLOY_DONE);
  }
}
