package dev.slipway.k8s;

import dev.slipway.events.Topics;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each service reads and writes on Kafka, as its own {@code application.properties} declares
 * it (SmallRye channels, test profiles left out): checked against the {@link KafkaContract}, so a
 * channel added to a service without its ACL, topic or scaling fails, and the source of each
 * consumer's concurrency.
 */
final class ServiceChannels {

  private static final Pattern CHANNEL_KEY =
      Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.([^.]+)\\.(.+)");

  /** One incoming channel: a topic (or a topic pattern) read by a consumer group. */
  record Incoming(
      String service,
      String channel,
      String topic,
      boolean pattern,
      String group,
      int consumers,
      String deadLetterTopic) {

    /** Whether this channel reads {@code candidate}. */
    boolean reads(String candidate) {
      return pattern ? Pattern.matches(topic, candidate) : topic.equals(candidate);
    }
  }

  /** One outgoing channel: a topic written. */
  record Outgoing(String service, String channel, String topic) {}

  private ServiceChannels() {}

  /** The incoming channels of {@code service}. */
  static List<Incoming> incoming(String service) {
    List<Incoming> incoming = new ArrayList<>();
    channels(service, "incoming")
        .forEach(
            (channel, attributes) ->
                incoming.add(
                    new Incoming(
                        service,
                        channel,
                        attributes.get("topic"),
                        Boolean.parseBoolean(attributes.getOrDefault("pattern", "false")),
                        attributes.get("group.id"),
                        Integer.parseInt(attributes.getOrDefault("concurrency", "1")),
                        "dead-letter-queue".equals(attributes.get("failure-strategy"))
                            ? attributes.get("dead-letter-queue.topic")
                            : null)));
    return incoming;
  }

  /**
   * The outgoing channels of {@code service}: SmallRye's, and the topics its outbox relay publishes
   * ({@code slipway.<service>.outbox.topics}, and {@code admin.action} with them).
   */
  static List<Outgoing> outgoing(String service) {
    List<Outgoing> outgoing = new ArrayList<>();
    channels(service, "outgoing")
        .forEach(
            (channel, attributes) ->
                outgoing.add(new Outgoing(service, channel, attributes.get("topic"))));
    String outboxTopics = properties(service).getProperty(outboxTopicsKey(service));
    if (outboxTopics != null) {
      for (String topic : outboxTopics.split(",")) {
        outgoing.add(new Outgoing(service, "outbox", topic.strip()));
      }
      outgoing.add(new Outgoing(service, "outbox", Topics.ADMIN_ACTION));
    }
    return outgoing;
  }

  /** {@code slipway.<service without -service>.outbox.topics}. */
  private static String outboxTopicsKey(String service) {
    return "slipway." + service.replace("-service", "") + ".outbox.topics";
  }

  private static Properties properties(String service) {
    Properties properties = new Properties();
    Path file =
        Overlay.repoDir().resolve(service).resolve("src/main/resources/application.properties");
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }

  private static Map<String, Map<String, String>> channels(String service, String direction) {
    Properties properties = properties(service);
    Map<String, Map<String, String>> channels = new LinkedHashMap<>();
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      Matcher matcher = CHANNEL_KEY.matcher(key);
      if (matcher.matches() && matcher.group(1).equals(direction)) {
        channels
            .computeIfAbsent(matcher.group(2), c -> new LinkedHashMap<>())
            .put(matcher.group(3), properties.getProperty(key));
      }
    }
    return channels;
  }
}
