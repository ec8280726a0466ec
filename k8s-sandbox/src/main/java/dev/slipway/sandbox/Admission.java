package dev.slipway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the API server's validation and defaulting would refuse or fill in before a write is stored:
 * names (RFC 1123 subdomains, labels for Namespaces and Services), fields that are immutable once
 * set (workload selectors, a Job's template, a Service's cluster IP, an immutable ConfigMap's or
 * Secret's data, a StatefulSet's spec beyond what may change) and the defaults clients rely on (one
 * replica, TCP ports). A refusal is an {@link Invalid}: the API server answers 422.
 */
final class Admission {

  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Set<String> WORKLOADS =
      Set.of("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet");
  private static final Set<String> STATEFUL_SET_MUTABLE =
      Set.of(
          "replicas",
          "template",
          "updateStrategy",
          "persistentVolumeClaimRetentionPolicy",
          "minReadySeconds",
          "ordinals",
          "revisionHistoryLimit");

  private Admission() {}

  /**
   * A write the API server refuses as invalid.
   *
   * @param field the field at fault, e.g. {@code spec.selector}
   * @param message the whole message, as {@code kubectl} prints it
   */
  record Invalid(String field, String message) {}

  /** Checks the name of an object about to be created. */
  static Optional<Invalid> name(String kind, String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of(
          new Invalid(
              "metadata.name",
              kind
                  + " is invalid: metadata.name: Required value: name or generateName is required"));
    }
    boolean label = "Namespace".equals(kind) || "Service".equals(kind);
    int max = label ? 63 : 253;
    Pattern pattern = label ? LABEL : SUBDOMAIN;
    if (name.length() > max || !pattern.matcher(name).matches()) {
      String rule =
          label
              ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or"
                  + " '-', and must start and end with an alphanumeric character (e.g. 'my-name',"
                  + "  or '123-abc', regex used for validation is"
                  + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
              : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters,"
                  + " '-' or '.', and must start and end with an alphanumeric character (e.g."
                  + " 'example.com', regex used for validation is"
                  + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
      return Optional.of(
          new Invalid(
              "metadata.name",
              "%s \"%s\" is invalid: metadata.name: Invalid value: \"%s\": %s%s"
                  .formatted(
                      kind,
                      name,
                      name,
                      name.length() > max ? "must be no more than " + max + " characters; " : "",
                      rule)));
    }
    return Optional.empty();
  }

  /** Checks an update of {@code before} to {@code after} for fields that may not change. */
  static Optional<Invalid> immutable(String kind, JsonNode before, JsonNode after) {
    String name = after.path("metadata").path("name").asText();
    String group = group(after);
    String what = kind + (group.isEmpty() ? "" : "." + group) + " \"" + name + "\" is invalid: ";
    JsonNode oldSpec = before.path("spec");
    JsonNode newSpec = after.path("spec");
    if (WORKLOADS.contains(kind) || "Job".equals(kind)) {
      if (changed(oldSpec.get("selector"), newSpec.get("selector"))) {
        return Optional.of(
            new Invalid(
                "spec.selector",
                what
                    + "spec.selector: Invalid value: "
                    + newSpec.path("selector")
                    + ": field is immutable"));
      }
    }
    if ("Job".equals(kind) && changed(oldSpec.get("template"), newSpec.get("template"))) {
      return Optional.of(
          new Invalid(
              "spec.template", what + "spec.template: Invalid value: ...: field is immutable"));
    }
    if ("StatefulSet".equals(kind)) {
      for (var it = newSpec.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!STATEFUL_SET_MUTABLE.contains(field)
            && changed(oldSpec.get(field), newSpec.get(field))) {
          return Optional.of(
              new Invalid(
                  "spec",
                  what
                      + "spec: Forbidden: updates to statefulset spec for fields other than"
                      + " 'replicas', 'ordinals', 'template', 'updateStrategy',"
                      + " 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are"
                      + " forbidden"));
        }
      }
    }
    if ("Service".equals(kind)) {
      String oldIp = oldSpec.path("clusterIP").asText("");
      if (!oldIp.isEmpty()
          && newSpec.has("clusterIP")
          && !oldIp.equals(newSpec.path("clusterIP").asText())) {
        return Optional.of(
            new Invalid(
                "spec.clusterIP",
                what
                    + "spec.clusterIP: Invalid value: \""
                    + newSpec.path("clusterIP").asText()
                    + "\": field is immutable"));
      }
    }
    if (("ConfigMap".equals(kind) || "Secret".equals(kind))
        && before.path("immutable").asBoolean(false)) {
      if (changed(before.get("data"), after.get("data"))
          || changed(before.get("binaryData"), after.get("binaryData"))) {
        return Optional.of(
            new Invalid(
                "data", what + "data: Forbidden: field is immutable when `immutable` is set"));
      }
      if (!after.path("immutable").asBoolean(false)) {
        return Optional.of(
            new Invalid(
                "immutable",
                what + "immutable: Forbidden: field is immutable when `immutable` is set"));
      }
    }
    if ("PersistentVolumeClaim".equals(kind)) {
      ObjectNode oldCopy = oldSpec.isObject() ? ((ObjectNode) oldSpec).deepCopy() : null;
      ObjectNode newCopy = newSpec.isObject() ? ((ObjectNode) newSpec).deepCopy() : null;
      if (oldCopy != null && newCopy != null) {
        oldCopy.remove("resources");
        newCopy.remove("resources");
        oldCopy.remove("volumeName");
        newCopy.remove("volumeName");
        if (!ManagedFields.same(oldCopy, newCopy)) {
          return Optional.of(
              new Invalid(
                  "spec",
                  what
                      + "spec: Forbidden: spec is immutable after creation except"
                      + " resources.requests and volumeAttributesClassName for bound claims"));
        }
      }
    }
    return Optional.empty();
  }

  /** Fills in what the API server defaults and clients rely on. */
  static void defaults(String kind, ObjectNode object, boolean creating) {
    JsonNode spec = object.get("spec");
    if (creating
        && ("Deployment".equals(kind) || "StatefulSet".equals(kind) || "ReplicaSet".equals(kind))
        && spec instanceof ObjectNode specNode
        && !specNode.has("replicas")) {
      specNode.put("replicas", 1);
    }
    defaultProtocols(object);
  }

  private static void defaultProtocols(JsonNode node) {
    if (node.isObject()) {
      JsonNode ports = node.get("ports");
      if (ports != null && ports.isArray()) {
        for (JsonNode port : ports) {
          if (port instanceof ObjectNode portNode
              && (portNode.has("containerPort") || portNode.has("port"))
              && !portNode.has("protocol")) {
            portNode.put("protocol", "TCP");
          }
        }
      }
      node.forEach(Admission::defaultProtocols);
    } else if (node.isArray()) {
      node.forEach(Admission::defaultProtocols);
    }
  }

  private static boolean changed(JsonNode before, JsonNode after) {
    if (before == null || before.isNull()) {
      return false;
    }
    return !ManagedFields.same(before, after);
  }

  private static String group(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** The kinds whose objects live outside namespaces, among those the sandbox serves. */
  static final List<String> CLUSTER_SCOPED =
      List.of(
          "Namespace",
          "Node",
          "PersistentVolume",
          "ClusterRole",
          "ClusterRoleBinding",
          "CustomResourceDefinition",
          "StorageClass",
          "PriorityClass",
          "IngressClass");
}
