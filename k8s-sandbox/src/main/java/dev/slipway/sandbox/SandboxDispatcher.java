package dev.slipway.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.HttpURLConnection;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;

/**
 * The sandbox API server's request handling: fixed answers registered as expectations (version,
 * discovery) first, then fabric8's CRUD store, extended with the two patch types the CRUD mock
 * refuses. A server-side apply ({@code application/apply-patch+yaml}) creates the object when it is
 * missing and otherwise merges the applied document into it (RFC 7386 merge, lists replaced); a
 * strategic-merge patch is treated as the same merge. This is a simplification of real server-side
 * apply: there is no field ownership, so a field an applier stops sending is kept instead of
 * removed, and no conflict between field managers is ever reported.
 *
 * <p>Every change to a Deployment (not to its status) is reported to a {@link ChangeListener}, the
 * way a controller's informer would see it.
 */
final class SandboxDispatcher extends Dispatcher {

  /** Told about changes the controllers of a real cluster would react to. */
  interface ChangeListener {

    /**
     * A Deployment's spec or metadata was written ({@code state} is what is stored now), or it was
     * deleted ({@code state} is null).
     */
    void deploymentChanged(String namespace, String name, Deployment state);
  }

  private static final String APPLY_PATCH = "apply-patch+yaml";
  private static final String STRATEGIC_MERGE_PATCH = "strategic-merge-patch+json";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Map<ServerRequest, Queue<ServerResponse>> expectations;
  private final MockDispatcher expected;
  private final Map<String, String> fixed;
  private final Store store;
  private final java.util.Set<String> authorizations =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

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
  java.util.Set<String> authorizations() {
    return java.util.Set.copyOf(authorizations);
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
    if (request.method() == HttpMethod.GET) {
      String document = fixed.get(request.getPath().replaceAll("\\?.*", ""));
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
    return store.dispatch(request);
  }

  /** fabric8's CRUD dispatcher with create-or-merge for apply and strategic-merge patches. */
  private static final class Store extends KubernetesCrudDispatcher {

    private volatile ChangeListener listener;

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
      String contentType = request.getHeader("Content-Type");
      String subtype = contentType == null ? "" : contentType.replaceAll(";.*", "").trim();
      if (subtype.endsWith(APPLY_PATCH)) {
        return apply(request, true);
      }
      if (subtype.endsWith(STRATEGIC_MERGE_PATCH)) {
        return apply(request, false);
      }
      return super.handlePatch(request);
    }

    private MockResponse apply(RecordedRequest request, boolean createIfMissing) {
      String path = request.getPath().replaceAll("\\?.*", "");
      JsonNode applied;
      try {
        applied = YAML.readTree(request.getBody().readUtf8());
      } catch (JsonProcessingException e) {
        return status(HttpURLConnection.HTTP_BAD_REQUEST, "the patch is not YAML or JSON");
      }
      if (applied == null || !applied.isObject()) {
        return status(HttpURLConnection.HTTP_BAD_REQUEST, "the patch is not an object");
      }
      MockResponse current = handleGet(path);
      if (current.code() == HttpURLConnection.HTTP_NOT_FOUND) {
        if (!createIfMissing) {
          return current;
        }
        MockResponse created =
            handleCreate(request(HttpMethod.POST, collectionOf(path), applied.toString()));
        if (created.code() != HttpURLConnection.HTTP_CONFLICT) {
          return created;
        }
        // Someone created it meanwhile: merge into theirs like any other apply.
        current = handleGet(path);
      }
      JsonNode existing = Serialization.unmarshal(current.getBody().readUtf8(), JsonNode.class);
      ObjectNode merged = (ObjectNode) merge(existing.deepCopy(), applied);
      // The store keeps its own bookkeeping; an applier never owns these.
      ObjectNode metadata = (ObjectNode) merged.get("metadata");
      metadata.remove("resourceVersion");
      metadata.remove("managedFields");
      if (existing.has("status")) {
        merged.set("status", existing.get("status"));
      }
      return handleUpdate(request(HttpMethod.PUT, path, merged.toString()));
    }

    /** RFC 7386 JSON merge: objects merge recursively, null removes, anything else replaces. */
    private static JsonNode merge(JsonNode target, JsonNode patch) {
      if (!patch.isObject() || !target.isObject()) {
        return patch.deepCopy();
      }
      ObjectNode result = (ObjectNode) target;
      for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getValue().isNull()) {
          result.remove(field.getKey());
        } else if (result.has(field.getKey())) {
          result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
        } else {
          result.set(field.getKey(), field.getValue().deepCopy());
        }
      }
      return result;
    }

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
      // /apis/apps/v1/namespaces/{ns}/deployments[/{name}]
      String[] parts = bare.split("/");
      if (parts.length >= 7 && "apps".equals(parts[2]) && "deployments".equals(parts[6])) {
        Deployment state =
            newState == null ? null : Serialization.unmarshal(newState, Deployment.class);
        String name =
            parts.length > 7 ? parts[7] : state == null ? null : state.getMetadata().getName();
        if (name != null) {
          notify.deploymentChanged(parts[5], name, state);
        }
      }
    }

    private static String collectionOf(String path) {
      return path.substring(0, path.lastIndexOf('/'));
    }

    private static RecordedRequest request(HttpMethod method, String path, String body) {
      Headers headers = Headers.builder().add("Content-Type", "application/json").build();
      return new RecordedRequest("HTTP/1.1", method, path, headers, new Buffer().writeUtf8(body));
    }

    private static MockResponse status(int code, String message) {
      String body =
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\""
              + message
              + "\",\"code\":"
              + code
              + "}";
      return new MockResponse().setResponseCode(code).setBody(body);
    }
  }
}
