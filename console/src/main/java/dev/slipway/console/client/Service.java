package dev.slipway.console.client;

/** The five services the console reads, by what each is called on a page. */
public enum Service {
  TRIGGER("trigger-service"),
  BUILD("build-service"),
  SCAN("scan-service"),
  DEPLOY("deploy-service"),
  AUDIT("audit-service");

  private final String label;

  Service(String label) {
    this.label = label;
  }

  /** The service's name, as a page names it when it does not answer. */
  public String label() {
    return label;
  }
}
