package dev.slipway.deploy.rest;

import dev.slipway.deploy.service.Caller;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The {@link Caller} a bearer token names. */
final class Callers {

  private Callers() {}

  static Caller of(JsonWebToken token) {
    String name = token.getName() != null ? token.getName() : token.getSubject();
    String user = token.getSubject() != null ? token.getSubject() : name;
    Object email = token.getClaim("email");
    Object verified = token.getClaim("email_verified");
    boolean trusted = email != null && !"false".equals(String.valueOf(verified));
    return new Caller(user, name, trusted ? List.of(email.toString()) : List.of(), List.of());
  }
}
