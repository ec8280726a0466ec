package dev.slipway.build.service;

/** The secret values the test configuration grants builds (application.properties, %test). */
final class SecretsProfile {

  static final String NPM_TOKEN = "npm-tok-s3cr3t-value-42";
  static final String DEPLOY_KEY =
      "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n0ZbqT3m6xL8fQ2v1Rr7nYw\n-----END KEY-----";

  private SecretsProfile() {}
}
