package dev.slipway.work.access;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.events.AccessPolicy;
import dev.slipway.events.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an {@link Actor} from the claims of a token its issuer's signature was already checked on,
 * by the issuer's configured claim names. Claims are read from the token's own JSON, so nested
 * claims ({@code realm_access/roles}, {@code federated_claims/user_id}) need no library support.
 */
public final class ActorClaims {

  private ActorClaims() {}

  /** The actor a verified token of issuer {@code name} describes. */
  public static Actor read(String name, AuthConfig.Issuer issuer, String rawToken) {
    JsonNode claims = payload(rawToken);
    String subject =
        text(claims, issuer.subjectClaim())
            .orElseThrow(
                () -> new IllegalArgumentException("the token has no " + issuer.subjectClaim()));
    String user = issuer.qualifySubject() ? name + "/" + subject : subject;
    String display = subject;
    for (String claim : issuer.nameClaims()) {
      Optional<String> value = text(claims, claim);
      if (value.isPresent()) {
        display = value.get();
        break;
      }
    }
    List<String> emails = new ArrayList<>();
    Optional<String> email = text(claims, issuer.emailClaim());
    boolean verified =
        issuer.emailsVerified()
            || at(claims, "email_verified").map(JsonNode::asBoolean).orElse(false);
    if (email.isPresent() && verified) {
      emails.add(email.get());
    }
    String prefix = issuer.groupPrefix().orElse("");
    Set<String> groups = new LinkedHashSet<>();
    texts(claims, issuer.groupsClaim()).forEach(group -> groups.add(prefix + group));
    Set<String> roles = new LinkedHashSet<>();
    issuer
        .platformRolesClaim()
        .ifPresent(
            claim -> texts(claims, claim).stream().filter(Roles::isRole).forEach(roles::add));
    List<AccessPolicy.Account> accounts = new ArrayList<>();
    Optional<String> provider = issuer.accountProviderClaim().flatMap(c -> text(claims, c));
    if (provider.isPresent()) {
      Optional<String> id = issuer.accountIdClaim().flatMap(c -> text(claims, c));
      Optional<String> login = issuer.accountLoginClaim().flatMap(c -> text(claims, c));
      if (id.isPresent() || login.isPresent()) {
        accounts.add(new AccessPolicy.Account(provider.get(), id.orElse(null), login.orElse(null)));
      }
    }
    return new Actor(name, user, display, emails, groups, roles, accounts);
  }

  /** The token's claims; the signature was checked before. */
  static JsonNode payload(String rawToken) {
    String[] parts = rawToken.split("\\.");
    if (parts.length < 2) {
      throw new IllegalArgumentException("not a JWT");
    }
    try {
      return EventJson.mapper()
          .readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the token's claims are not JSON", e);
    }
  }

  /** The node at {@code path} ({@code /} between levels). */
  static Optional<JsonNode> at(JsonNode claims, String path) {
    JsonNode node = claims;
    for (String step : path.split("/")) {
      if (node == null || !node.isObject()) {
        return Optional.empty();
      }
      node = node.get(step);
    }
    return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
  }

  private static Optional<String> text(JsonNode claims, String path) {
    return at(claims, path)
        .filter(n -> n.isTextual() || n.isNumber())
        .map(JsonNode::asText)
        .filter(s -> !s.isBlank());
  }

  /** A claim holding one text or an array of texts (a space-separated text is one value). */
  private static List<String> texts(JsonNode claims, String path) {
    List<String> values = new ArrayList<>();
    at(claims, path)
        .ifPresent(
            node -> {
              if (node.isArray()) {
                node.forEach(
                    element -> {
                      if (element.isTextual() && !element.asText().isBlank()) {
                        values.add(element.asText());
                      }
                    });
              } else if (node.isTextual() && !node.asText().isBlank()) {
                values.add(node.asText());
              }
            });
    return values;
  }
}
