package dev.slipway.deploy.rest;

import dev.slipway.deploy.service.Caller;
import dev.slipway.work.access.Actor;

/** The {@link Caller} an authenticated actor is, with the identities linked to them. */
final class Callers {

  private Callers() {}

  static Caller of(Actor actor) {
    return new Caller(actor.user(), actor.name(), actor.emails(), actor.accounts());
  }
}
