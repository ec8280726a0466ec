package dev.slipway.k8s;

import dev.slipway.events.Topics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who reads and writes which topic (DESIGN.md, "The run of a commit"), the contract the KafkaUsers'
 * ACLs, the topics and the autoscalers are checked against; each service's {@code
 * application.properties} must stay within it ({@link KafkaTopologyTest}).
 *
 * <pre>
 * service          consumer groups  reads                                  writes
 * every service    -                access.policy (assigned, no group)     access.denied
 * trigger-service  -                -                                      commit.received, access.policy
 * build-service    build-service    commit.received                        build.done, commit.received.dlq
 * scan-service     scan-service     build.done                             scan.done, deploy.requested,
 *                  scan-service-    deploy.done (which digest runs where)  build.done.dlq, deploy.done.dlq
 *                    exposure
 * deploy-service   deploy-service   deploy.requested, commit.received,     deploy.done, deploy.requested,
 *                                  scan.done                              approval.decided, their .dlq
 * audit-service    audit-service    every topic and every .dlq             -
 * </pre>
 *
 * A service whose outbox relay publishes writes {@code admin.action} too: what its operators do to
 * parked outbox rows is audited through it.
 */
record KafkaContract(Set<String> groups, Set<String> reads, Set<String> writes) {

  static final Map<String, KafkaContract> BY_SERVICE = byService();

  /**
   * The ACLs this contract needs: Read+Describe on reads, Read on each group, Write+Describe on
   * writes.
   */
  Map<String, Set<String>> acls() {
    Map<String, Set<String>> acls = new TreeMap<>();
    for (String topic : reads) {
      acls.computeIfAbsent("topic " + topic, k -> new TreeSet<>())
          .addAll(List.of("Read", "Describe"));
    }
    for (String group : groups) {
      acls.computeIfAbsent("group " + group, k -> new TreeSet<>()).add("Read");
    }
    for (String topic : writes) {
      acls.computeIfAbsent("topic " + topic, k -> new TreeSet<>())
          .addAll(List.of("Write", "Describe"));
    }
    return acls;
  }

  private static Map<String, KafkaContract> byService() {
    Set<String> everything = new TreeSet<>();
    Topics.ALL.forEach(t -> everything.addAll(List.of(t, Topics.dlq(t))));
    everything.add(Topics.ACCESS_POLICY);
    return Map.of(
        "trigger-service",
            new KafkaContract(
                Set.of(),
                Set.of(Topics.ACCESS_POLICY),
                Set.of(Topics.COMMIT_RECEIVED, Topics.ACCESS_POLICY, Topics.ACCESS_DENIED)),
        "build-service",
            new KafkaContract(
                Set.of("build-service"),
                Set.of(Topics.COMMIT_RECEIVED, Topics.ACCESS_POLICY),
                Set.of(
                    Topics.BUILD_DONE, Topics.dlq(Topics.COMMIT_RECEIVED), Topics.ACCESS_DENIED)),
        "scan-service",
            new KafkaContract(
                Set.of("scan-service", "scan-service-exposure"),
                Set.of(Topics.BUILD_DONE, Topics.DEPLOY_DONE, Topics.ACCESS_POLICY),
                Set.of(
                    Topics.SCAN_DONE,
                    Topics.DEPLOY_REQUESTED,
                    Topics.VULNERABILITY_FOUND,
                    Topics.dlq(Topics.BUILD_DONE),
                    Topics.dlq(Topics.DEPLOY_DONE),
                    Topics.ACCESS_DENIED)),
        "deploy-service",
            new KafkaContract(
                Set.of("deploy-service"),
                Set.of(
                    Topics.DEPLOY_REQUESTED,
                    Topics.COMMIT_RECEIVED,
                    Topics.SCAN_DONE,
                    Topics.ACCESS_POLICY),
                Set.of(
                    Topics.DEPLOY_DONE,
                    Topics.DEPLOY_REQUESTED,
                    Topics.APPROVAL_DECIDED,
                    Topics.dlq(Topics.DEPLOY_REQUESTED),
                    Topics.dlq(Topics.COMMIT_RECEIVED),
                    Topics.dlq(Topics.SCAN_DONE),
                    Topics.ACCESS_DENIED)),
        "audit-service",
            new KafkaContract(Set.of("audit-service"), everything, Set.of(Topics.ACCESS_DENIED)));
  }
}
