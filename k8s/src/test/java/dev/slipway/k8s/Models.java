package dev.slipway.k8s;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Java model of every kind the overlays render, and a strict binding to it. fabric8's and
 * Strimzi's model classes keep fields they do not know in a catch-all map (a {@code
 * JsonAnySetter}), so a misspelt field would pass unnoticed, as the API server would prune it
 * unnoticed. Here that catch-all is removed and unknown properties fail: a field the model does not
 * have is an error, named with its path.
 */
final class Models {

  /**
   * Kinds with a Java model: fabric8's (core, apps, batch, RBAC, networking, Gateway API) and
   * Strimzi's.
   */
  static final Map<String, Class<? extends HasMetadata>> TYPED =
      List.<Class<? extends HasMetadata>>of(
              Namespace.class,
              ServiceAccount.class,
              ConfigMap.class,
              Service.class,
              ResourceQuota.class,
              LimitRange.class,
              Deployment.class,
              Job.class,
              Role.class,
              RoleBinding.class,
              ClusterRole.class,
              ClusterRoleBinding.class,
              NetworkPolicy.class,
              HorizontalPodAutoscaler.class,
              PodDisruptionBudget.class,
              Gateway.class,
              HTTPRoute.class,
              Kafka.class,
              KafkaNodePool.class,
              KafkaTopic.class,
              KafkaUser.class)
          .stream()
          .collect(Collectors.toMap(Models::key, Function.identity(), (a, b) -> a, HashMap::new));

  static {
    // Strimzi 0.51's classes name v1beta2 in their annotations and serve v1 too; the manifests
    // use v1, the version Strimzi 1.x keeps.
    for (Class<? extends HasMetadata> strimzi :
        List.of(Kafka.class, KafkaNodePool.class, KafkaTopic.class, KafkaUser.class)) {
      TYPED.put("kafka.strimzi.io/v1/" + HasMetadata.getKind(strimzi), strimzi);
    }
  }

  private static final ObjectMapper STRICT = strictMapper();

  /** Writes every property, defaults included, whatever the model's {@code @JsonInclude} says. */
  private static final ObjectMapper WRITE_ALL =
      new ObjectMapper()
          .setAnnotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public JsonInclude.Value findPropertyInclusion(Annotated annotated) {
                  return JsonInclude.Value.empty();
                }
              });

  private Models() {}

  /** {@code apiVersion/Kind} of a model class. */
  static String key(Class<? extends HasMetadata> type) {
    return HasMetadata.getApiVersion(type) + "/" + HasMetadata.getKind(type);
  }

  /** {@code apiVersion/Kind} of a rendered object. */
  static String key(JsonNode object) {
    return object.path("apiVersion").asText() + "/" + object.path("kind").asText();
  }

  /** The model class of {@code object}'s apiVersion and kind, if it has one. */
  static Optional<Class<? extends HasMetadata>> typeOf(JsonNode object) {
    return Optional.ofNullable(TYPED.get(key(object)));
  }

  /**
   * {@code object} as {@code type}, failing on any property the model does not know and on any
   * value it does not keep (written back, every field given must come out equal: an enum value the
   * model does not know, which some models turn into null, fails here).
   */
  static <T> T bind(JsonNode object, Class<T> type) {
    T bound;
    try {
      bound = STRICT.treeToValue(object, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          Overlay.describe(object)
              + " does not fit "
              + type.getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
    ObjectNode written = WRITE_ALL.valueToTree(bound);
    if (typeOf(object).filter(type::equals).isPresent()) {
      // A model class serving several versions writes the one its annotations name (Strimzi's
      // write v1beta2 for a v1 object): the version the object names is the one registered.
      written.set("apiVersion", object.get("apiVersion"));
    }
    List<String> lost = new ArrayList<>();
    lost(object, written, "", lost);
    if (!lost.isEmpty()) {
      throw new IllegalArgumentException(
          Overlay.describe(object) + " does not fit " + type.getSimpleName() + ": " + lost);
    }
    return bound;
  }

  /** Where {@code written} does not hold what {@code given} holds, by path. */
  private static void lost(JsonNode given, JsonNode written, String path, List<String> lost) {
    if (given.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode back = written == null ? null : written.get(field.getKey());
        String where = path + "." + field.getKey();
        if (back == null || back.isNull()) {
          if (!field.getValue().isNull()) {
            lost.add(where + ": " + field.getValue() + " was dropped");
          }
        } else {
          lost(field.getValue(), back, where, lost);
        }
      }
    } else if (given.isArray()) {
      if (written == null || !written.isArray() || written.size() != given.size()) {
        lost.add(path + ": " + given + " became " + written);
        return;
      }
      for (int i = 0; i < given.size(); i++) {
        lost(given.get(i), written.get(i), path + "[" + i + "]", lost);
      }
    } else if (!sameValue(given, written)) {
      lost.add(path + ": " + given + " became " + written);
    }
  }

  private static boolean sameValue(JsonNode given, JsonNode written) {
    if (written == null || written.isNull()) {
      return given.isNull();
    }
    if (given.isNumber() && written.isNumber()) {
      return given.decimalValue().compareTo(written.decimalValue()) == 0;
    }
    // Quantities and int-or-strings come back as text or number: "1" and 1 are the same value.
    return given.asText().equals(written.asText());
  }

  private static ObjectMapper strictMapper() {
    SimpleModule noCatchAll = new SimpleModule("no-catch-all");
    noCatchAll.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public BeanDeserializerBuilder updateBuilder(
              DeserializationConfig config,
              BeanDescription description,
              BeanDeserializerBuilder builder) {
            builder.setAnySetter(null);
            return builder;
          }
        });
    return new ObjectMapper()
        .registerModule(noCatchAll)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }
}
