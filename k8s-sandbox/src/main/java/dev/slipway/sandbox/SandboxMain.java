package dev.slipway.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a sandbox Kubernetes API on 127.0.0.1 until it is stopped, for local runs of Slipway.
 *
 * <pre>
 * java -jar k8s-sandbox/target/k8s-sandbox.jar --port 6443 \
 *     --kubeconfig-out .slipway/sandbox/kubeconfig --registry-insecure 127.0.0.1:5000
 * </pre>
 *
 * Pods behave as the image's OCI config label {@value Behaviour#LABEL} says (read from the image's
 * registry; a digest the registry does not have cannot be pulled).
 */
public final class SandboxMain {

  private static final String USAGE =
      """
      usage: java -jar k8s-sandbox.jar [--port N] [--kubeconfig-out FILE]
                                       [--registry-insecure HOST:PORT]... [--ready-after-ms N]
        --port N                    port on 127.0.0.1 (default 0: a free port, printed)
        --kubeconfig-out FILE       write a kubeconfig (context slipway-sandbox) for this server
        --registry-insecure H:P     a registry to read image labels from over plain HTTP
        --ready-after-ms N          how long a pod of an available image takes to become ready
                                    (default 1000)
      """;

  private SandboxMain() {}

  public static void main(String[] args) throws InterruptedException {
    int port = 0;
    Path kubeconfig = null;
    Set<String> insecure = new HashSet<>();
    long readyAfterMs = 1000;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--port" -> port = Integer.parseInt(args[++i]);
          case "--kubeconfig-out" -> kubeconfig = Path.of(args[++i]);
          case "--registry-insecure" -> insecure.add(args[++i]);
          case "--ready-after-ms" -> readyAfterMs = Long.parseLong(args[++i]);
          case "-h", "--help" -> {
            System.out.print(USAGE);
            return;
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
    } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
      System.err.println(
          e instanceof ArrayIndexOutOfBoundsException ? "missing value" : e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    RolloutSimulator.Settings settings =
        new RolloutSimulator.Settings(
            Duration.ofMillis(readyAfterMs),
            RolloutSimulator.Settings.DEFAULTS.restartEvery(),
            RolloutSimulator.Settings.DEFAULTS.resync(),
            RolloutSimulator.Settings.DEFAULTS.threads());
    SandboxServer sandbox =
        SandboxServer.start(port, new RegistryBehaviourPolicy(insecure), settings);
    Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close, "sandbox-shutdown"));
    System.out.println("sandbox Kubernetes API listening on " + sandbox.url());
    if (kubeconfig != null) {
      sandbox.writeKubeconfig(kubeconfig, "slipway-sandbox");
      System.out.println(
          "kubeconfig written to " + kubeconfig.toAbsolutePath() + " (context slipway-sandbox)");
    }
    System.out.println(
        "pods behave as the image label "
            + Behaviour.LABEL
            + " says"
            + (insecure.isEmpty()
                ? ""
                : " (plain HTTP registries: " + String.join(", ", insecure) + ")"));
    System.out.println("ready");
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
