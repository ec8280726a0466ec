package dev.slipway.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.HttpURLConnection;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The sandbox API server's request handling: fixed answers registered as expectations (version,
 * discovery) first, then every write through what a real API server does before it stores anything,
 * then fabric8's CRUD store.
 *
 * <ul>
 *   <li>server-side apply ({@code application/apply-patch+yaml}) with field ownership kept in
 *       {@code metadata.managedFields} ({@link ManagedFields}): a field another manager owns with
 *       another value is a 409 conflict unless {@code force=true}; fields the applier stops sending
 *       are removed; {@code fieldManager} is required;
 *   <li>creates, replaces, merge, JSON and strategic-merge patches record the writer's fields as an
 *       Update (manager from {@code fieldManager}, else the client's User-Agent);
 *   <li>validation ({@link Admission}): names (422), immutable fields (422), a missing namespace
 *       (404), and the defaults clients rely on;
 *   <li>{@code dryRun=All}: the answer of the write, nothing stored;
 *   <li>the {@code scale} subresource of Deployments and StatefulSets.
 * </ul>
 *
 * <p>Every change to a Deployment, StatefulSet, Job or HorizontalPodAutoscaler (not to its status)
 * is reported to a {@link ChangeListener}, the way a controller's informer would see it.
 */
final class SandboxDispatcher extends Dispatcher {

  /** Told about changes the controllers of a real cluster would react to. */
  interface ChangeListener {

    /**
     * An object of {@code kind} was written ({@code state} is its JSON now), or deleted ({@code
     * state} is null).
     */
    void changed(String kind, String namespace, String name, String state);
  }

  private static final String APPLY_PATCH = "apply-patch+yaml";
  private static final String STRATEGIC_MERGE_PATCH = "strategic-merge-patch+json";
  private static final String MERGE_PATCH = "merge-patch+json";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = Serialization.jsonMapper();
  private static final Map<String, String> WATCHED_KINDS =
      Map.of(
          "deployments", "Deployment",
          "statefulsets", "StatefulSet",
          "jobs", "Job",
          "horizontalpodautoscalers", "HorizontalPodAutoscaler",
          "daemonsets", "DaemonSet",
          "ingresses", "Ingress",
          "services", "Service");

  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final MockDispatcher expected;
  private final Map<String, String> fixed;
  private final Store store;
  private final Set<String> authorizations = ConcurrentHashMap.newKeySet();
  private final Object writes = new Object();

  /**
   * @param expectations answers registered through the mock server's {@code expect()}
   * @param fixed JSON documents served for GETs of these paths, whatever the query (version,
   *     discovery)
   */
  SandboxDispatcher(
      Map<ServerRequest, Queue<ServerResponse>> expectations, Map<String, String> fixed) {
    this.expectations = expectations;
    this.expected = new MockDispatcher(expectations);
    this.fixed = Map.copyOf(fixed);
    this.store = new Store();
  }

  void listener(ChangeListener listener) {
    store.listener = listener;
  }

  /** Every distinct {@code Authorization} header received, e.g. to prove a token arrived. */
  Set<String> authorizations() {
    return Set.copyOf(authorizations);
  }

  /** The CRUD store, e.g. to register custom resource kinds. */
  KubernetesCrudDispatcher store() {
    return store;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String authorization = request.getHeader("Authorization");
    if (authorization != null) {
      authorizations.add(authorization);
    }
    String bare = request.getPath().replaceAll("\\?.*", "");
    if (request.method() == HttpMethod.GET) {
      String document = fixed.get(bare);
      if (document != null) {
        return new MockResponse()
            .setResponseCode(HttpURLConnection.HTTP_OK)
            .setHeader("Content-Type", "application/json")
            .setBody(document);
      }
    }
    Queue<ServerResponse> answers =
        expectations.get(
            new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
    if (answers != null && !answers.isEmpty()) {
      return expected.dispatch(request);
    }
    ApiPath path = ApiPath.parse(bare);
    if (path == null) {
      return store.dispatch(request);
    }
    if ("scale".equals(path.subresource())) {
      return scale(request, path);
    }
    if (path.subresource() != null || request.method() == HttpMethod.GET) {
      return store.dispatch(request);
    }
    // One write at a time: what a write checks (ownership, conflicts) still holds when it stores.
    synchronized (writes) {
      return switch (request.method()) {
        case POST -> create(request, path);
        case PUT -> replace(request, path);
        case PATCH -> patch(request, path);
        default -> store.dispatch(request);
      };
    }
  }

  private MockResponse create(RecordedRequest request, ApiPath path) {
    ObjectNode object;
    try {
      object = (ObjectNode) JSON.readTree(request.getBody().readUtf8());
    } catch (JsonProcessingException | ClassCastException e) {
      return status(400, "BadRequest", "the body is not a JSON object", null);
    }
    String name = object.path("metadata").path("name").asText(null);
    ApiPath target = path.named(name);
    return write(request, target, null, object, manager(request), null, false);
  }

  private MockResponse replace(RecordedRequest request, ApiPath path) {
    ObjectNode object;
    try {
      object = (ObjectNode) JSON.readTree(request.getBody().readUtf8());
    } catch (JsonProcessingException | ClassCastException e) {
      return status(400, "BadRequest", "the body is not a JSON object", null);
    }
    JsonNode current = current(path);
    if (current == null) {
      return notFound(path);
    }
    String version = object.path("metadata").path("resourceVersion").asText("");
    if (!version.isEmpty()
        && !version.equals(current.path("metadata").path("resourceVersion").asText())) {
      return status(
          409,
          "Conflict",
          "Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the latest version and try again"
              .formatted(path.resource(), path.name()),
          null);
    }
    if (!object.has("status") && current.has("status")) {
      object.set("status", current.get("status"));
    }
    return write(request, path, current, object, manager(request), null, false);
  }

  private MockResponse patch(RecordedRequest request, ApiPath path) {
    String contentType = request.getHeader("Content-Type");
    String subtype = contentType == null ? "" : contentType.replaceAll(";.*", "").trim();
    String body = request.getBody().readUtf8();
    if (subtype.endsWith(APPLY_PATCH)) {
      return apply(request, path, body);
    }
    JsonNode current = current(path);
    if (current == null) {
      return notFound(path);
    }
    JsonNode patch;
    try {
      patch = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return status(400, "BadRequest", "the patch is not JSON", null);
    }
    ObjectNode updated;
    try {
      if (subtype.endsWith(MERGE_PATCH)) {
        updated = (ObjectNode) mergePatch(current.deepCopy(), patch);
      } else if (subtype.endsWith(STRATEGIC_MERGE_PATCH)) {
        updated = (ObjectNode) ManagedFields.merge(current.deepCopy(), patch, null);
      } else {
        updated = (ObjectNode) JsonPatch.apply(patch, current);
      }
    } catch (RuntimeException e) {
      return status(422, "Invalid", "the patch cannot be applied: " + e.getMessage(), null);
    }
    return write(request, path, current, updated, manager(request), null, false);
  }

  private MockResponse apply(RecordedRequest request, ApiPath path, String body) {
    Map<String, String> query = query(request);
    String manager = query.get("fieldManager");
    if (manager == null || manager.isBlank()) {
      return status(
          422,
          "Invalid",
          "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required"
              + " for apply patch",
          null);
    }
    JsonNode applied;
    try {
      applied = YAML.readTree(body);
    } catch (JsonProcessingException e) {
      return status(400, "BadRequest", "the patch is not YAML or JSON", null);
    }
    if (applied == null || !applied.isObject()) {
      return status(400, "BadRequest", "the patch is not an object", null);
    }
    ObjectNode config = ((ObjectNode) applied).deepCopy();
    ObjectNode metadata = config.withObjectProperty("metadata");
    metadata.remove(List.of("resourceVersion", "managedFields", "uid", "creationTimestamp"));
    config.remove("status");
    Admission.defaults(config.path("kind").asText(), config, false);
    boolean force = "true".equals(query.get("force"));
    JsonNode current = current(path);
    ObjectNode live;
    List<ManagedFields.Entry> entries;
    if (current == null) {
      live = JsonNodeFactory.instance.objectNode();
      live.set("apiVersion", config.get("apiVersion"));
      live.set("kind", config.get("kind"));
      ObjectNode liveMetadata = live.putObject("metadata");
      liveMetadata.put("name", path.name());
      if (path.namespace() != null) {
        liveMetadata.put("namespace", path.namespace());
      }
      entries = List.of();
    } else {
      live = current.deepCopy();
      entries = ManagedFields.read(current);
    }
    List<ManagedFields.Conflict> conflicts =
        ManagedFields.conflicts(entries, manager, live, config);
    if (!conflicts.isEmpty() && !force) {
      return conflict(conflicts);
    }
    List<ManagedFields.Entry> after =
        ManagedFields.apply(
            entries,
            manager,
            config.path("apiVersion").asText(),
            live,
            config,
            force ? conflicts : List.of());
    return write(request, path, current, live, manager, after, true);
  }

  /**
   * Stores {@code after} (the whole object) in place of {@code before} (null: a create), with the
   * field ownership of {@code entries}, or of an update by {@code manager} when null.
   */
  private MockResponse write(
      RecordedRequest request,
      ApiPath path,
      JsonNode before,
      ObjectNode after,
      String manager,
      List<ManagedFields.Entry> entries,
      boolean applied) {
    String kind = after.path("kind").asText(kindOf(path));
    boolean creating = before == null;
    if (creating) {
      Optional<Admission.Invalid> invalid =
          Admission.name(kind, after.path("metadata").path("name").asText(null));
      if (invalid.isPresent()) {
        return invalid(kind, invalid.get());
      }
      if (path.namespace() != null && !"namespaces".equals(path.resource())) {
        if (store.handleGet("/api/v1/namespaces/" + path.namespace()).code()
            != HttpURLConnection.HTTP_OK) {
          return status(
              404,
              "NotFound",
              "namespaces \"" + path.namespace() + "\" not found",
              Map.of("name", path.namespace(), "kind", "namespaces"));
        }
        after.withObjectProperty("metadata").put("namespace", path.namespace());
      }
    } else {
      Optional<Admission.Invalid> invalid = Admission.immutable(kind, before, after);
      if (invalid.isPresent()) {
        return invalid(kind, invalid.get());
      }
    }
    Admission.defaults(kind, after, creating);
    List<ManagedFields.Entry> ownership = entries;
    if (ownership == null) {
      ownership =
          ManagedFields.update(
              creating ? List.of() : ManagedFields.read(before),
              manager,
              after.path("apiVersion").asText(),
              ManagedFields.changed(before, after),
              after);
    }
    ManagedFields.write(after, ownership);
    if ("All".equals(query(request).get("dryRun"))) {
      if (before != null) {
        after
            .withObjectProperty("metadata")
            .set("resourceVersion", before.path("metadata").get("resourceVersion"));
        after.withObjectProperty("metadata").set("uid", before.path("metadata").get("uid"));
        after
            .withObjectProperty("metadata")
            .set("generation", before.path("metadata").get("generation"));
      }
      return new MockResponse()
          .setResponseCode(creating ? HttpURLConnection.HTTP_CREATED : HttpURLConnection.HTTP_OK)
          .setHeader("Content-Type", "application/json")
          .setBody(after.toString());
    }
    if (creating) {
      after.withObjectProperty("metadata").remove("resourceVersion");
      MockResponse created =
          store.handleCreate(request(HttpMethod.POST, path.collection(), after.toString()));
      if (applied && created.code() == HttpURLConnection.HTTP_OK) {
        created.setResponseCode(HttpURLConnection.HTTP_CREATED);
      }
      return created;
    }
    // The store keeps its own bookkeeping; a write never sets it.
    after.withObjectProperty("metadata").remove("resourceVersion");
    return store.handleUpdate(request(HttpMethod.PUT, path.path(), after.toString()));
  }

  /** The scale subresource of a Deployment or StatefulSet, as the HPA controller uses it. */
  private MockResponse scale(RecordedRequest request, ApiPath path) {
    ApiPath owner = path.withoutSubresource();
    synchronized (writes) {
      JsonNode current = current(owner);
      if (current == null) {
        return notFound(owner);
      }
      if (request.method() == HttpMethod.GET) {
        return new MockResponse()
            .setResponseCode(200)
            .setHeader("Content-Type", "application/json")
            .setBody(scaleOf(current).toString());
      }
      if (request.method() != HttpMethod.PUT && request.method() != HttpMethod.PATCH) {
        return status(405, "MethodNotAllowed", "the scale subresource is read and written", null);
      }
      JsonNode body;
      try {
        body = JSON.readTree(request.getBody().readUtf8());
      } catch (JsonProcessingException e) {
        return status(400, "BadRequest", "the body is not JSON", null);
      }
      JsonNode scale = scaleOf(current);
      JsonNode updated;
      if (body.isArray()) {
        updated = JsonPatch.apply(body, scale);
      } else {
        updated = mergePatch(scale.deepCopy(), body);
      }
      ObjectNode after = current.deepCopy();
      after.withObjectProperty("spec").set("replicas", updated.path("spec").path("replicas"));
      MockResponse written = write(request, owner, current, after, manager(request), null, false);
      if (written.code() >= 300) {
        return written;
      }
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "application/json")
          .setBody(scaleOf(after).toString());
    }
  }

  private static JsonNode scaleOf(JsonNode object) {
    ObjectNode scale = JsonNodeFactory.instance.objectNode();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode metadata = scale.putObject("metadata");
    metadata.set("name", object.path("metadata").get("name"));
    metadata.set("namespace", object.path("metadata").get("namespace"));
    metadata.set("resourceVersion", object.path("metadata").get("resourceVersion"));
    scale.putObject("spec").set("replicas", object.path("spec").get("replicas"));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", object.path("status").path("replicas").asInt(0));
    return scale;
  }

  private JsonNode current(ApiPath path) {
    MockResponse found = store.handleGet(path.path());
    if (found.code() != HttpURLConnection.HTTP_OK) {
      return null;
    }
    return Serialization.unmarshal(found.getBody().readUtf8(), JsonNode.class);
  }

  private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject() || !target.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = (ObjectNode) target;
    for (var it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else if (result.has(field.getKey())) {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      } else {
        result.set(field.getKey(), field.getValue().deepCopy());
      }
    }
    return result;
  }

  /** The field manager of a write that is not an apply: the parameter, else the User-Agent. */
  private static String manager(RecordedRequest request) {
    String manager = query(request).get("fieldManager");
    if (manager != null && !manager.isBlank()) {
      return manager;
    }
    String agent = request.getHeader("User-Agent");
    if (agent == null || agent.isBlank()) {
      return "unknown";
    }
    int slash = agent.indexOf('/');
    return slash > 0 ? agent.substring(0, slash) : agent;
  }

  private static Map<String, String> query(RecordedRequest request) {
    String path = request.getPath();
    int q = path.indexOf('?');
    Map<String, String> query = new LinkedHashMap<>();
    if (q < 0) {
      return query;
    }
    for (String pair : path.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      query.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return query;
  }

  private static String kindOf(ApiPath path) {
    return WATCHED_KINDS.getOrDefault(path.resource(), path.resource());
  }

  private static MockResponse conflict(List<ManagedFields.Conflict> conflicts) {
    Map<String, List<ManagedFields.Conflict>> byManager =
        conflicts.stream()
            .collect(
                Collectors.groupingBy(
                    c -> "\"" + c.manager() + "\" using " + c.apiVersion(),
                    LinkedHashMap::new,
                    Collectors.toList()));
    String message;
    if (conflicts.size() == 1) {
      ManagedFields.Conflict only = conflicts.get(0);
      message =
          "Apply failed with 1 conflict: conflict with \"%s\" using %s: %s"
              .formatted(only.manager(), only.apiVersion(), only.field());
    } else {
      message =
          "Apply failed with %d conflicts: %s"
              .formatted(
                  conflicts.size(),
                  byManager.entrySet().stream()
                      .map(
                          e ->
                              "conflicts with "
                                  + e.getKey()
                                  + ":\n"
                                  + e.getValue().stream()
                                      .map(c -> "- " + c.field())
                                      .collect(Collectors.joining("\n")))
                      .collect(Collectors.joining("\n")));
    }
    ObjectNode status = statusNode(409, "Conflict", message);
    ArrayNode causes = status.putObject("details").putArray("causes");
    for (ManagedFields.Conflict c : conflicts) {
      ObjectNode cause = causes.addObject();
      cause.put("reason", "FieldManagerConflict");
      cause.put("message", "conflict with \"" + c.manager() + "\" using " + c.apiVersion());
      cause.put("field", c.field());
    }
    return new MockResponse()
        .setResponseCode(409)
        .setHeader("Content-Type", "application/json")
        .setBody(status.toString());
  }

  private static MockResponse invalid(String kind, Admission.Invalid invalid) {
    ObjectNode status = statusNode(422, "Invalid", invalid.message());
    ObjectNode details = status.putObject("details");
    details.put("kind", kind);
    ObjectNode cause = details.putArray("causes").addObject();
    cause.put("reason", "FieldValueInvalid");
    cause.put("message", invalid.message());
    cause.put("field", invalid.field());
    return new MockResponse()
        .setResponseCode(422)
        .setHeader("Content-Type", "application/json")
        .setBody(status.toString());
  }

  private static MockResponse notFound(ApiPath path) {
    return status(
        404,
        "NotFound",
        path.resource() + " \"" + path.name() + "\" not found",
        Map.of("name", String.valueOf(path.name()), "kind", path.resource()));
  }

  private static ObjectNode statusNode(int code, String reason, String message) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    return status;
  }

  private static MockResponse status(
      int code, String reason, String message, Map<String, String> details) {
    ObjectNode status = statusNode(code, reason, message);
    if (details != null) {
      ObjectNode node = status.putObject("details");
      details.forEach(node::put);
    }
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(status.toString());
  }

  private static RecordedRequest request(HttpMethod method, String path, String body) {
    Headers headers = Headers.builder().add("Content-Type", "application/json").build();
    return new RecordedRequest("HTTP/1.1", method, path, headers, new Buffer().writeUtf8(body));
  }

  /**
   * The parts of an API path: {@code /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{sub}]]} or
   * {@code /apis/{group}/{version}[/namespaces/{ns}]/{resource}[/{name}[/{sub}]]}.
   */
  record ApiPath(
      String prefix, String namespace, String resource, String name, String subresource) {

    static ApiPath parse(String path) {
      String[] parts = path.split("/");
      int i;
      String prefix;
      if (parts.length >= 3 && "api".equals(parts[1])) {
        prefix = "/api/" + parts[2];
        i = 3;
      } else if (parts.length >= 4 && "apis".equals(parts[1])) {
        prefix = "/apis/" + parts[2] + "/" + parts[3];
        i = 4;
      } else {
        return null;
      }
      String namespace = null;
      if (parts.length > i + 2 && "namespaces".equals(parts[i])) {
        namespace = parts[i + 1];
        i += 2;
      }
      if (parts.length <= i) {
        return null;
      }
      String resource = parts[i];
      String name = parts.length > i + 1 ? parts[i + 1] : null;
      String subresource = parts.length > i + 2 ? parts[i + 2] : null;
      if ("namespaces".equals(resource) && namespace == null && parts.length > i + 2) {
        return null;
      }
      return new ApiPath(prefix, namespace, resource, name, subresource);
    }

    String collection() {
      return prefix + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + resource;
    }

    String path() {
      return collection() + (name == null ? "" : "/" + name);
    }

    ApiPath named(String newName) {
      return new ApiPath(prefix, namespace, resource, newName, subresource);
    }

    ApiPath withoutSubresource() {
      return new ApiPath(prefix, namespace, resource, name, null);
    }
  }

  /** fabric8's CRUD store, telling the listener what changed. */
  private static final class Store extends KubernetesCrudDispatcher {

    private volatile ChangeListener listener;

    @Override
    public void processEvent(
        String path,
        AttributeSet pathAttributes,
        AttributeSet oldAttributes,
        GenericKubernetesResource resource,
        String newState) {
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      ChangeListener notify = listener;
      String bare = path.replaceAll("\\?.*", "");
      if (notify == null || bare.endsWith("/status")) {
        return;
      }
      ApiPath parsed = ApiPath.parse(bare);
      if (parsed == null || parsed.namespace() == null) {
        return;
      }
      String kind = WATCHED_KINDS.get(parsed.resource());
      if (kind == null) {
        return;
      }
      String name = parsed.name();
      if (name == null && newState != null) {
        name =
            Serialization.unmarshal(newState, JsonNode.class)
                .path("metadata")
                .path("name")
                .asText(null);
      }
      if (name != null) {
        notify.changed(kind, parsed.namespace(), name, newState);
      }
    }
  }

  /** A Deployment from a listener's state. */
  static Deployment deployment(String state) {
    return state == null ? null : Serialization.unmarshal(state, Deployment.class);
  }
}
