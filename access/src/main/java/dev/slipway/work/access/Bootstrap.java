package dev.slipway.work.access;

import dev.slipway.events.AccessPolicy.RoleBinding;
import java.util.ArrayList;
import java.util.List;

/** The bootstrap bindings of {@link AuthConfig#bootstrapBindings()}: platform-wide, fixed. */
final class Bootstrap {

  private Bootstrap() {}

  static List<RoleBinding> bindings(AuthConfig config) {
    List<RoleBinding> bindings = new ArrayList<>();
    for (String entry : config.bootstrapBindings().orElse(List.of())) {
      String[] parts = entry.split("=", 2);
      if (parts.length != 2 || parts[0].isBlank() || !Roles.isRole(parts[1].strip())) {
        throw new IllegalArgumentException(
            "slipway.auth.bootstrap-bindings: '"
                + entry
                + "' is not group=role with a Slipway role");
      }
      bindings.add(
          new RoleBinding(
              "bootstrap:" + parts[0].strip(),
              0,
              parts[0].strip(),
              parts[1].strip(),
              null,
              null,
              null));
    }
    return bindings;
  }
}
