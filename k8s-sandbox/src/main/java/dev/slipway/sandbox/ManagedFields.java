package dev.slipway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Field ownership as a Kubernetes API server keeps it in {@code metadata.managedFields} (FieldsV1):
 * which manager set which field, by an apply or by an update. From it follow the rules of
 * server-side apply that matter to an applier: a field another manager owns with another value is a
 * conflict unless the apply is forced (then ownership moves); a field the applier owned and no
 * longer sends, and nobody else owns, is removed; an update takes the fields it changed from
 * everyone else.
 *
 * <p>Paths are FieldsV1 elements: {@code f:<field>} for a field, {@code k:{...}} for an item of an
 * associative list (containers by name, ports by port and protocol, and so on), and {@code .} for
 * the item itself. Lists that are not associative are atomic: one leaf.
 */
final class ManagedFields {

  /** Who wrote a set of fields and how. */
  enum Operation {
    APPLY("Apply"),
    UPDATE("Update");

    final String wire;

    Operation(String wire) {
      this.wire = wire;
    }
  }

  /** One field manager's entry: its fields as leaf paths. */
  record Entry(String manager, Operation operation, String apiVersion, Set<List<String>> fields) {}

  /** A field another manager owns with another value. */
  record Conflict(String manager, String apiVersion, List<String> path) {

    /**
     * The field as kubectl prints it, e.g. {@code
     * .spec.template.spec.containers[name="app"].image}.
     */
    String field() {
      return display(path);
    }
  }

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Set<String> SERVER_METADATA =
      Set.of(
          "name",
          "namespace",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "managedFields",
          "selfLink");

  private ManagedFields() {}

  /** The leaf paths of what an object (or an applied configuration) sets; status excluded. */
  static Set<List<String>> leaves(JsonNode object) {
    Set<List<String>> leaves = new LinkedHashSet<>();
    if (object == null || !object.isObject()) {
      return leaves;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (name.equals("apiVersion") || name.equals("kind") || name.equals("status")) {
        continue;
      }
      if (name.equals("metadata") && field.getValue().isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> m = field.getValue().fields(); m.hasNext(); ) {
          Map.Entry<String, JsonNode> meta = m.next();
          if (!SERVER_METADATA.contains(meta.getKey())) {
            walk(
                meta.getValue(),
                List.of("f:metadata", "f:" + meta.getKey()),
                meta.getKey(),
                leaves);
          }
        }
        continue;
      }
      walk(field.getValue(), List.of("f:" + name), name, leaves);
    }
    return leaves;
  }

  private static void walk(JsonNode node, List<String> path, String field, Set<List<String>> out) {
    if (node.isObject()) {
      if (node.isEmpty()) {
        out.add(path);
        return;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> child = it.next();
        walk(child.getValue(), append(path, "f:" + child.getKey()), child.getKey(), out);
      }
      return;
    }
    if (node.isArray() && associative(field, node)) {
      for (JsonNode item : node) {
        List<String> itemPath = append(path, itemKey(field, item));
        out.add(append(itemPath, "."));
        for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> child = it.next();
          walk(child.getValue(), append(itemPath, "f:" + child.getKey()), child.getKey(), out);
        }
      }
      return;
    }
    out.add(path);
  }

  /** The key fields of the items of list {@code field}, as the schema's list-map-keys say. */
  static List<String> keyFields(String field, JsonNode item) {
    if (item == null || !item.isObject()) {
      return List.of();
    }
    return switch (field) {
      case "containers",
          "initContainers",
          "ephemeralContainers",
          "volumes",
          "imagePullSecrets",
          "env",
          "resourceClaims" ->
          List.of("name");
      case "volumeMounts" -> List.of("mountPath");
      case "volumeDevices" -> List.of("devicePath");
      case "hostAliases" -> List.of("ip");
      case "conditions" -> List.of("type");
      case "topologySpreadConstraints" -> List.of("topologyKey", "whenUnsatisfiable");
      case "ports" ->
          item.has("containerPort")
              ? List.of("containerPort", "protocol")
              : item.has("port") ? List.of("port", "protocol") : List.of();
      default -> List.of();
    };
  }

  private static boolean associative(String field, JsonNode list) {
    if (list.isEmpty()) {
      return false;
    }
    for (JsonNode item : list) {
      List<String> keys = keyFields(field, item);
      if (keys.isEmpty() || !item.has(keys.get(0))) {
        return false;
      }
    }
    return true;
  }

  private static String itemKey(String field, JsonNode item) {
    ObjectNode key = JSON.objectNode();
    for (String name : keyFields(field, item)) {
      if (item.has(name)) {
        key.set(name, item.get(name));
      }
    }
    return "k:" + key;
  }

  private static List<String> append(List<String> path, String element) {
    List<String> longer = new ArrayList<>(path.size() + 1);
    longer.addAll(path);
    longer.add(element);
    return List.copyOf(longer);
  }

  /** The value at {@code path} in {@code object}, or null when absent. */
  static JsonNode at(JsonNode object, List<String> path) {
    JsonNode node = object;
    String field = null;
    for (String element : path) {
      if (node == null) {
        return null;
      }
      if (element.equals(".")) {
        return node;
      }
      if (element.startsWith("f:")) {
        field = element.substring(2);
        node = node.isObject() ? node.get(field) : null;
      } else {
        node = node.isArray() ? findItem((ArrayNode) node, field, element) : null;
      }
    }
    return node;
  }

  private static JsonNode findItem(ArrayNode list, String field, String key) {
    for (JsonNode item : list) {
      if (key.equals(itemKey(field, item))) {
        return item;
      }
    }
    return null;
  }

  /** Removes the field (or list item, for a path ending in {@code .}) at {@code path}. */
  static void remove(JsonNode object, List<String> path) {
    if (path.isEmpty()) {
      return;
    }
    boolean item = path.get(path.size() - 1).equals(".");
    List<String> target = item ? path.subList(0, path.size() - 1) : path;
    JsonNode parent = at(object, target.subList(0, target.size() - 1));
    String last = target.get(target.size() - 1);
    if (parent == null) {
      return;
    }
    if (last.startsWith("f:") && parent.isObject()) {
      ((ObjectNode) parent).remove(last.substring(2));
    } else if (last.startsWith("k:") && parent.isArray()) {
      String field = fieldOf(target.subList(0, target.size() - 1));
      ArrayNode list = (ArrayNode) parent;
      for (int i = 0; i < list.size(); i++) {
        if (last.equals(itemKey(field, list.get(i)))) {
          list.remove(i);
          return;
        }
      }
    }
  }

  private static String fieldOf(List<String> path) {
    for (int i = path.size() - 1; i >= 0; i--) {
      if (path.get(i).startsWith("f:")) {
        return path.get(i).substring(2);
      }
    }
    return "";
  }

  /**
   * Server-side apply's merge: objects merge field by field, associative lists merge item by item
   * (by their keys), anything else (scalars, atomic lists) is replaced by what was applied.
   */
  static JsonNode merge(JsonNode live, JsonNode applied, String field) {
    if (live != null && live.isObject() && applied.isObject()) {
      ObjectNode result = (ObjectNode) live;
      for (Iterator<Map.Entry<String, JsonNode>> it = applied.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> child = it.next();
        JsonNode current = result.get(child.getKey());
        result.set(child.getKey(), merge(current, child.getValue(), child.getKey()));
      }
      return result;
    }
    if (live != null
        && live.isArray()
        && applied.isArray()
        && associative(field, applied)
        && (live.isEmpty() || associative(field, live))) {
      ArrayNode result = (ArrayNode) live;
      for (JsonNode item : applied) {
        JsonNode existing = findItem(result, field, itemKey(field, item));
        if (existing == null) {
          result.add(item.deepCopy());
        } else {
          merge(existing, item, null);
        }
      }
      return result;
    }
    return applied.deepCopy();
  }

  /** Whether two values are the same, numbers compared by value. */
  static boolean same(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!same(field.getValue(), b.get(field.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!same(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** The entries of {@code object}'s {@code metadata.managedFields}. */
  static List<Entry> read(JsonNode object) {
    List<Entry> entries = new ArrayList<>();
    JsonNode managed = object.path("metadata").path("managedFields");
    if (!managed.isArray()) {
      return entries;
    }
    for (JsonNode entry : managed) {
      if (!entry.path("subresource").asText("").isEmpty()) {
        continue;
      }
      Set<List<String>> fields = new LinkedHashSet<>();
      collect(entry.path("fieldsV1"), List.of(), fields);
      entries.add(
          new Entry(
              entry.path("manager").asText(),
              "Apply".equals(entry.path("operation").asText()) ? Operation.APPLY : Operation.UPDATE,
              entry.path("apiVersion").asText(),
              fields));
    }
    return entries;
  }

  private static void collect(JsonNode tree, List<String> path, Set<List<String>> out) {
    if (!tree.isObject()) {
      return;
    }
    if (tree.isEmpty()) {
      if (!path.isEmpty()) {
        out.add(path);
      }
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> child = it.next();
      collect(child.getValue(), append(path, child.getKey()), out);
    }
  }

  /** Writes {@code entries} (empty ones dropped) into {@code object}'s metadata. */
  static void write(ObjectNode object, List<Entry> entries) {
    ArrayNode managed = JSON.arrayNode();
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    for (Entry entry : entries) {
      if (entry.fields().isEmpty()) {
        continue;
      }
      ObjectNode tree = JSON.objectNode();
      entry.fields().stream()
          .sorted(Comparator.comparing(Object::toString))
          .forEach(path -> insert(tree, path));
      ObjectNode node = JSON.objectNode();
      node.put("manager", entry.manager());
      node.put("operation", entry.operation().wire);
      node.put("apiVersion", entry.apiVersion());
      node.put("time", now);
      node.put("fieldsType", "FieldsV1");
      node.set("fieldsV1", tree);
      managed.add(node);
    }
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    if (managed.isEmpty()) {
      metadata.remove("managedFields");
    } else {
      metadata.set("managedFields", managed);
    }
  }

  private static void insert(ObjectNode tree, List<String> path) {
    ObjectNode node = tree;
    for (String element : path) {
      JsonNode child = node.get(element);
      if (!(child instanceof ObjectNode)) {
        child = JSON.objectNode();
        node.set(element, child);
      }
      node = (ObjectNode) child;
    }
  }

  /**
   * The leaves that differ between two versions of an object (changed, added or removed), status
   * and the server's metadata excluded.
   */
  static Set<List<String>> changed(JsonNode before, JsonNode after) {
    Set<List<String>> old = before == null ? Set.of() : leaves(before);
    Set<List<String>> now = leaves(after);
    Set<List<String>> changed = new LinkedHashSet<>();
    for (List<String> path : now) {
      if (!old.contains(path) || !same(at(before, path), at(after, path))) {
        changed.add(path);
      }
    }
    for (List<String> path : old) {
      if (!now.contains(path)) {
        changed.add(path);
      }
    }
    return changed;
  }

  /**
   * Records an update by {@code manager}: it owns what it changed, nobody else does any more.
   *
   * @return the new entries
   */
  static List<Entry> update(
      List<Entry> entries,
      String manager,
      String apiVersion,
      Set<List<String>> changed,
      JsonNode after) {
    List<Entry> result = new ArrayList<>();
    Set<List<String>> present = leaves(after);
    Set<List<String>> mine = new LinkedHashSet<>();
    boolean found = false;
    for (Entry entry : entries) {
      Set<List<String>> fields = new LinkedHashSet<>(entry.fields());
      fields.removeAll(changed);
      fields.retainAll(present);
      if (entry.manager().equals(manager) && entry.operation() == Operation.UPDATE) {
        found = true;
        mine = fields;
        continue;
      }
      result.add(new Entry(entry.manager(), entry.operation(), entry.apiVersion(), fields));
    }
    for (List<String> path : changed) {
      if (present.contains(path)) {
        mine.add(path);
      }
    }
    Entry own = new Entry(manager, Operation.UPDATE, apiVersion, mine);
    if (found) {
      result.add(own);
    } else {
      result.add(own);
    }
    return result;
  }

  /** The conflicts an apply by {@code manager} of {@code applied} onto {@code live} would have. */
  static List<Conflict> conflicts(
      List<Entry> entries, String manager, JsonNode live, JsonNode applied) {
    List<Conflict> conflicts = new ArrayList<>();
    Set<List<String>> wanted = leaves(applied);
    for (Entry entry : entries) {
      if (entry.manager().equals(manager)) {
        continue;
      }
      for (List<String> path : entry.fields()) {
        if (path.get(path.size() - 1).equals(".") || !wanted.contains(path)) {
          continue;
        }
        if (!same(at(live, path), at(applied, path))) {
          conflicts.add(new Conflict(entry.manager(), entry.apiVersion(), path));
        }
      }
    }
    return conflicts;
  }

  /**
   * Applies {@code applied} as {@code manager} onto {@code live} (modified in place): merges it,
   * moves the forced conflicts' fields to the applier, removes fields the applier no longer sends
   * that nobody else owns, and returns the new entries.
   */
  static List<Entry> apply(
      List<Entry> entries,
      String manager,
      String apiVersion,
      ObjectNode live,
      JsonNode applied,
      List<Conflict> forced) {
    Set<List<String>> wanted = leaves(applied);
    Set<List<String>> previously = new LinkedHashSet<>();
    Set<List<String>> others = new LinkedHashSet<>();
    List<Entry> kept = new ArrayList<>();
    Set<List<String>> taken = new LinkedHashSet<>();
    forced.forEach(conflict -> taken.add(conflict.path()));
    for (Entry entry : entries) {
      if (entry.manager().equals(manager) && entry.operation() == Operation.APPLY) {
        previously.addAll(entry.fields());
        continue;
      }
      Set<List<String>> fields = new LinkedHashSet<>(entry.fields());
      fields.removeAll(taken);
      others.addAll(fields);
      kept.add(new Entry(entry.manager(), entry.operation(), entry.apiVersion(), fields));
    }
    merge(live, applied, null);
    List<List<String>> dropped = new ArrayList<>();
    for (List<String> path : previously) {
      if (!wanted.contains(path) && !others.contains(path)) {
        dropped.add(path);
      }
    }
    // Deepest first, so an item's fields go before the item.
    dropped.sort(Comparator.comparingInt((List<String> p) -> p.size()).reversed());
    for (List<String> path : dropped) {
      if (path.get(path.size() - 1).equals(".")
          || dropped.stream().noneMatch(p -> p != path && isPrefix(p, path))) {
        remove(live, path);
      }
    }
    kept.add(new Entry(manager, Operation.APPLY, apiVersion, wanted));
    return kept;
  }

  private static boolean isPrefix(List<String> prefix, List<String> path) {
    return prefix.size() < path.size() && path.subList(0, prefix.size()).equals(prefix);
  }

  /** A path as kubectl shows it in a conflict. */
  static String display(List<String> path) {
    StringBuilder text = new StringBuilder();
    for (String element : path) {
      if (element.startsWith("f:")) {
        text.append('.').append(element.substring(2));
      } else if (element.startsWith("k:")) {
        JsonNode key = readKey(element.substring(2));
        StringBuilder inner = new StringBuilder();
        if (key != null) {
          for (Iterator<Map.Entry<String, JsonNode>> it = key.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (inner.length() > 0) {
              inner.append(',');
            }
            inner.append(field.getKey()).append('=').append(field.getValue());
          }
        }
        text.append('[').append(inner).append(']');
      }
    }
    return text.toString();
  }

  private static JsonNode readKey(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return null;
    }
  }

  /** The managers of {@code object}, as "name (Operation)", for messages. */
  static Map<String, String> describe(JsonNode object) {
    Map<String, String> managers = new LinkedHashMap<>();
    for (Entry entry : read(object)) {
      managers.put(entry.manager(), entry.operation().wire);
    }
    return managers;
  }
}
