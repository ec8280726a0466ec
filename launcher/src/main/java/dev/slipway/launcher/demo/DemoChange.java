package dev.slipway.launcher.demo;

/**
 * The commits of the demo: the shop's first release (only when production runs nothing yet: a first
 * release has no stable version to canary against), a clean change that goes all the way to
 * production as a canary, one that adds a dependency with a known critical advisory (the scan stops
 * it), and one whose pods never become ready (the rollout is rolled back). Each is the demo
 * application's files with one change.
 */
public enum DemoChange {
  FIRST_RELEASE("Open the demo shop"),
  CLEAN("Describe the shop on its front page"),
  VULNERABLE("Parse command-line flags with minimist 1.2.5"),
  NEVER_READY("Serve on port 9090");

  /** minimist 1.2.5: prototype pollution, GHSA-xvch-5gv4-984h (CVE-2021-44906), critical. */
  private static final String MINIMIST_LOCK =
      """
          "node_modules/minimist": {
            "version": "1.2.5",
            "resolved": "https://registry.npmjs.org/minimist/-/minimist-1.2.5.tgz",
            "integrity": "sha512-FM9nNUYrRBAELZQT3xeZQ7fmMOBg6nWNmJKTcgsJeaLstP/UODVpGsr5OhXhhXg6f+qtJ8uiZ+PUxkDWcgIXLw==",
            "license": "MIT"
          },
      """;

  /**
   * The sandbox cannot run containers; like a kubelet would see this image never answer its
   * readiness probe on the environment's port, the label tells the sandbox so.
   */
  private static final String NEVER_READY_LABEL =
      "LABEL dev.slipway.sandbox.behaviour=\"never-ready\"\n";

  private final String message;

  DemoChange(String message) {
    this.message = message;
  }

  /** The commit message. */
  public String message() {
    return message;
  }

  /** The content of {@code file} in this commit, given the clean version; null: not in it. */
  String contentOf(String file, String clean) {
    if (file.equals("deploy/legacy.yaml")) {
      // Only the first release has the legacy settings: the next one prunes them.
      return this == FIRST_RELEASE ? clean : null;
    }
    return switch (this) {
      case FIRST_RELEASE ->
          clean.replace("<p>Built, scanned and rolled out by Slipway.</p>", "<p>Opening soon.</p>");
      case CLEAN -> clean;
      case VULNERABLE ->
          switch (file) {
            case "package.json" ->
                clean.replace(
                    "\"ms\": \"2.1.3\"", "\"minimist\": \"1.2.5\",\n    \"ms\": \"2.1.3\"");
            case "package-lock.json" ->
                clean
                    .replace(
                        "\"escape-html\": \"1.0.3\",",
                        "\"escape-html\": \"1.0.3\",\n        \"minimist\": \"1.2.5\",")
                    .replace(
                        "    \"node_modules/ms\": {", MINIMIST_LOCK + "    \"node_modules/ms\": {");
            default -> clean;
          };
      case NEVER_READY ->
          file.equals("Dockerfile")
              ? clean
                  .replace("EXPOSE 8080", NEVER_READY_LABEL + "EXPOSE 9090")
                  .replace("\"-p\", \"8080\"", "\"-p\", \"9090\"")
              : clean;
    };
  }
}
