package dev.slipway.events;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka value deserializer of one payload type. A record that does not match the contract fails
 * with an {@link EventFormatException} naming the field, which SmallRye turns into a dead letter.
 */
public abstract class PayloadDeserializer<T> implements Deserializer<T> {

  private final EventType<T> type;

  protected PayloadDeserializer(EventType<T> type) {
    this.type = type;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    return data == null ? null : EventJson.readPayload(data, type.payloadType());
  }

  /** Deserializer of {@code commit.received}. */
  public static class CommitReceivedDeserializer extends PayloadDeserializer<CommitReceived> {
    public CommitReceivedDeserializer() {
      super(EventType.COMMIT_RECEIVED);
    }
  }

  /** Deserializer of {@code build.done}. */
  public static class BuildDoneDeserializer extends PayloadDeserializer<BuildDone> {
    public BuildDoneDeserializer() {
      super(EventType.BUILD_DONE);
    }
  }

  /** Deserializer of {@code scan.done}. */
  public static class ScanDoneDeserializer extends PayloadDeserializer<ScanDone> {
    public ScanDoneDeserializer() {
      super(EventType.SCAN_DONE);
    }
  }

  /** Deserializer of {@code deploy.requested}. */
  public static class DeployRequestedDeserializer extends PayloadDeserializer<DeployRequested> {
    public DeployRequestedDeserializer() {
      super(EventType.DEPLOY_REQUESTED);
    }
  }
}
