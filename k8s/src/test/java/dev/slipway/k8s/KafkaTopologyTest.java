package dev.slipway.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.events.Topics;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.kafka.listener.KafkaListenerAuthenticationScramSha512;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.KafkaUserScramSha512ClientAuthentication;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kafka as Strimzi resources: a KRaft cluster of node pools with one authenticated TLS listener,
 * every topic of {@link Topics} and its dead-letter topic with partitions, replicated 3 times and
 * acknowledged by 2 in production, and per service a KafkaUser whose ACLs are exactly what the
 * {@link KafkaContract} lets it read and write, a contract every channel of the services' {@code
 * application.properties} stays within.
 */
class KafkaTopologyTest {

  static List<String> overlays() {
    return Overlay.names();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void aKraftClusterOfNodePoolsWithOneScramTlsListenerAndSimpleAuthorization(String name) {
    Overlay overlay = Overlay.rendered(name);
    List<Kafka> clusters = overlay.all("Kafka", Kafka.class);
    assertThat(clusters).hasSize(1);
    Kafka kafka = clusters.get(0);
    assertThat(kafka.getSpec().getZookeeper()).isNull();
    List<GenericKafkaListener> listeners = kafka.getSpec().getKafka().getListeners();
    assertThat(listeners).hasSize(1);
    assertThat(listeners.get(0).isTls()).isTrue();
    assertThat(listeners.get(0).getAuth())
        .isInstanceOf(KafkaListenerAuthenticationScramSha512.class);
    assertThat(kafka.getSpec().getKafka().getAuthorization().getType()).isEqualTo("simple");
    Map<String, Object> config = kafka.getSpec().getKafka().getConfig();
    assertThat(config).containsEntry("auto.create.topics.enable", false);

    List<KafkaNodePool> pools = overlay.all("KafkaNodePool", KafkaNodePool.class);
    assertThat(pools)
        .allSatisfy(
            p ->
                assertThat(p.getMetadata().getLabels())
                    .containsEntry("strimzi.io/cluster", kafka.getMetadata().getName()));
    int controllers = replicasWith(pools, ProcessRoles.CONTROLLER);
    int brokers = replicasWith(pools, ProcessRoles.BROKER);
    if (overlay.isProd()) {
      assertThat(controllers).as("controllers (a quorum that survives one loss)").isEqualTo(3);
      assertThat(brokers).as("brokers").isEqualTo(3);
      assertThat(config)
          .containsEntry("default.replication.factor", 3)
          .containsEntry("min.insync.replicas", 2)
          .containsEntry("offsets.topic.replication.factor", 3)
          .containsEntry("transaction.state.log.min.isr", 2);
      assertThat(kafka.getSpec().getKafka().getRack().getTopologyKey())
          .isEqualTo("topology.kubernetes.io/zone");
    } else {
      assertThat(controllers).isPositive();
      assertThat(brokers).isPositive();
    }
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyTopicAndItsDeadLetterTopicWithPartitionsAndReplication(String name) {
    Overlay overlay = Overlay.rendered(name);
    Map<String, KafkaTopic> topics = topics(overlay);
    Set<String> expected = new TreeSet<>();
    Topics.ALL.forEach(t -> expected.addAll(List.of(t, Topics.dlq(t))));
    expected.add(Topics.ACCESS_POLICY);
    assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(topics.get(Topics.ACCESS_POLICY).getSpec().getConfig())
        .as("access.policy keeps the current version of its one key")
        .containsEntry("cleanup.policy", "compact");

    int brokers =
        replicasWith(overlay.all("KafkaNodePool", KafkaNodePool.class), ProcessRoles.BROKER);
    SoftAssertions softly = new SoftAssertions();
    topics.forEach(
        (topic, resource) -> {
          var spec = resource.getSpec();
          int minInSync = ((Number) spec.getConfig().get("min.insync.replicas")).intValue();
          softly
              .assertThat(resource.getMetadata().getLabels())
              .as(topic)
              .containsEntry("strimzi.io/cluster", "slipway");
          softly.assertThat(spec.getPartitions()).as("%s partitions", topic).isPositive();
          softly
              .assertThat(spec.getReplicas())
              .as("%s replicas within the brokers", topic)
              .isLessThanOrEqualTo(brokers);
          softly
              .assertThat(minInSync)
              .as("%s min.insync.replicas", topic)
              .isBetween(1, spec.getReplicas());
          if (overlay.isProd()) {
            softly.assertThat(spec.getReplicas()).as("%s replicas", topic).isEqualTo(3);
            softly.assertThat(minInSync).as("%s min.insync.replicas", topic).isEqualTo(2);
          }
        });
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void eachServiceMayReadAndWriteExactlyWhatTheContractSays(String name) {
    Map<String, KafkaUser> users =
        Overlay.rendered(name).all("KafkaUser", KafkaUser.class).stream()
            .collect(Collectors.toMap(u -> u.getMetadata().getName(), Function.identity()));
    SoftAssertions softly = new SoftAssertions();
    for (String service : Overlay.SERVICES) {
      KafkaUser user = users.get(service);
      softly.assertThat(user).as("KafkaUser %s", service).isNotNull();
      if (user == null) {
        continue;
      }
      softly
          .assertThat(user.getSpec().getAuthentication())
          .isInstanceOf(KafkaUserScramSha512ClientAuthentication.class);
      softly
          .assertThat(acls(user))
          .as("ACLs of %s", service)
          .isEqualTo(KafkaContract.BY_SERVICE.get(service).acls());
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void everyChannelOfEveryServiceIsWithinTheContract(String name) {
    // A channel added to a service without its topic, ACL and scaling fails here.
    Set<String> topics = topics(Overlay.rendered(name)).keySet();
    SoftAssertions softly = new SoftAssertions();
    for (String service : Overlay.SERVICES) {
      KafkaContract contract = KafkaContract.BY_SERVICE.get(service);
      for (ServiceChannels.Incoming in : ServiceChannels.incoming(service)) {
        String channel = service + " channel " + in.channel();
        softly.assertThat(contract.groups()).as("%s group", channel).contains(in.group());
        Set<String> read = topics.stream().filter(in::reads).collect(Collectors.toSet());
        softly.assertThat(read).as("%s reads", channel).isNotEmpty();
        softly.assertThat(contract.reads()).as("%s reads", channel).containsAll(read);
        if (in.deadLetterTopic() != null) {
          softly
              .assertThat(contract.writes())
              .as("%s dead letters", channel)
              .contains(in.deadLetterTopic());
        }
      }
      for (ServiceChannels.Outgoing out : ServiceChannels.outgoing(service)) {
        softly
            .assertThat(contract.writes())
            .as("%s channel %s writes", service, out.channel())
            .contains(out.topic());
      }
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("overlays")
  void noAclUsesAPrefixAWildcardOrAllOperations(String name) {
    for (KafkaUser user : Overlay.rendered(name).all("KafkaUser", KafkaUser.class)) {
      for (AclRule rule :
          ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization()).getAcls()) {
        String resource = resourceName(rule);
        assertThat(resource).as(user.getMetadata().getName()).doesNotContain("*");
        assertThat(patternType(rule))
            .as("%s %s", user.getMetadata().getName(), resource)
            .isEqualTo(AclResourcePatternType.LITERAL);
        assertThat(rule.getOperations())
            .as("%s %s", user.getMetadata().getName(), resource)
            .doesNotContain(AclOperation.ALL);
      }
    }
  }

  /** The ACLs of {@code user} as {@code "topic name" -> operations}. */
  static Map<String, Set<String>> acls(KafkaUser user) {
    Map<String, Set<String>> acls = new TreeMap<>();
    for (AclRule rule :
        ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization()).getAcls()) {
      String type =
          rule.getResource() instanceof AclRuleTopicResource
              ? "topic"
              : rule.getResource() instanceof AclRuleGroupResource
                  ? "group"
                  : rule.getResource().getType();
      Set<String> operations =
          acls.computeIfAbsent(type + " " + resourceName(rule), k -> new TreeSet<>());
      List<AclOperation> listed = new ArrayList<>();
      if (rule.getOperations() != null) {
        listed.addAll(rule.getOperations());
      }
      if (rule.getOperation() != null) {
        listed.add(rule.getOperation());
      }
      listed.forEach(o -> operations.add(o.toValue()));
    }
    return acls;
  }

  static Map<String, KafkaTopic> topics(Overlay overlay) {
    return overlay.all("KafkaTopic", KafkaTopic.class).stream()
        .collect(
            Collectors.toMap(
                t ->
                    t.getSpec().getTopicName() != null
                        ? t.getSpec().getTopicName()
                        : t.getMetadata().getName(),
                Function.identity(),
                (a, b) -> {
                  throw new IllegalStateException(
                      "topic declared twice: " + a.getMetadata().getName());
                },
                TreeMap::new));
  }

  private static String resourceName(AclRule rule) {
    if (rule.getResource() instanceof AclRuleTopicResource topic) {
      return topic.getName();
    }
    if (rule.getResource() instanceof AclRuleGroupResource group) {
      return group.getName();
    }
    return rule.getResource().getType();
  }

  private static AclResourcePatternType patternType(AclRule rule) {
    if (rule.getResource() instanceof AclRuleTopicResource topic) {
      return topic.getPatternType();
    }
    if (rule.getResource() instanceof AclRuleGroupResource group) {
      return group.getPatternType();
    }
    return AclResourcePatternType.LITERAL;
  }

  private static int replicasWith(List<KafkaNodePool> pools, ProcessRoles role) {
    return pools.stream()
        .filter(p -> p.getSpec().getRoles().contains(role))
        .mapToInt(p -> p.getSpec().getReplicas())
        .sum();
  }
}
