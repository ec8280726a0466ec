package dev.slipway.deploy.rest;

import dev.slipway.deploy.service.Caller;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The {@link Caller} a bearer token names. */
final class Callers {

  private Callers() {}

  static Caller of(JsonWebToken token) {
    String name = token.getName() != null ? token.getName() : token.getSubject();
    Object email = token.getClaim("email");
    return new Caller(name, Optional.ofNullable(email).map(Object::toString));
  }
}
