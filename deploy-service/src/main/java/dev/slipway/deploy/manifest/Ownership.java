package dev.slipway.deploy.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which objects are Slipway's. Every object Slipway applies carries the labels {@code
 * app.kubernetes.io/managed-by=slipway}, {@code slipway.dev/application} and {@code
 * slipway.dev/environment}; an object without them (or of another application or environment) is
 * foreign: never modified, force-applied or deleted unless the environment adopts it. Objects of
 * releases made before these labels existed are recognised by {@code app.kubernetes.io/name}.
 */
public final class Ownership {

  /** Marks objects Slipway manages. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** The application an object belongs to. */
  public static final String APPLICATION = "slipway.dev/application";

  /** The environment an object belongs to. */
  public static final String ENVIRONMENT = "slipway.dev/environment";

  /** The application label of Slipway's generated objects. */
  public static final String NAME = "app.kubernetes.io/name";

  /** The field manager of everything Slipway applies. */
  public static final String FIELD_MANAGER = "slipway";

  private Ownership() {}

  /** The labels that mark an object as {@code application}'s in {@code environment}. */
  public static Map<String, String> labels(String application, String environment) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, "slipway");
    labels.put(APPLICATION, application);
    labels.put(ENVIRONMENT, environment);
    return labels;
  }

  /** Whether {@code live} is Slipway's object of {@code application} in {@code environment}. */
  public static boolean owns(HasMetadata live, String application, String environment) {
    Map<String, String> labels =
        Objects.requireNonNullElse(live.getMetadata().getLabels(), Map.of());
    if (!"slipway".equals(labels.get(MANAGED_BY))) {
      return false;
    }
    if (labels.containsKey(APPLICATION)) {
      return application.equals(labels.get(APPLICATION))
          && environment.equals(labels.get(ENVIRONMENT));
    }
    // Made by a Slipway that did not yet label the environment: its generated objects.
    return application.equals(labels.get(NAME));
  }

  /**
   * Who manages {@code live}, from its managed fields, e.g. {@code kubectl-client-side-apply
   * (Update), helm (Update)}; "nobody recorded" when it has none.
   */
  public static String managers(HasMetadata live) {
    List<ManagedFieldsEntry> entries = live.getMetadata().getManagedFields();
    if (entries == null || entries.isEmpty()) {
      return "no field manager recorded";
    }
    return entries.stream()
        .map(e -> e.getManager() + " (" + e.getOperation() + ")")
        .distinct()
        .collect(Collectors.joining(", "));
  }

  /** Why {@code live} is not {@code application}'s, for a refusal. */
  public static String foreignReason(HasMetadata live, String application, String environment) {
    Map<String, String> labels =
        Objects.requireNonNullElse(live.getMetadata().getLabels(), Map.of());
    if ("slipway".equals(labels.get(MANAGED_BY)) && labels.containsKey(APPLICATION)) {
      return "it belongs to application %s in environment %s"
          .formatted(labels.get(APPLICATION), labels.get(ENVIRONMENT));
    }
    return "it is not Slipway's (managed by " + managers(live) + ")";
  }
}
