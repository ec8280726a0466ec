package dev.slipway.build.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.build.BuildTestResource;
import dev.slipway.build.Builds;
import dev.slipway.build.GitFixture;
import dev.slipway.events.SampleEvents;
import dev.slipway.testsupport.OciRegistry;
import dev.slipway.testsupport.SlipwayInfrastructure;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A step tries what an attacker with push access would (issue 17): read every process's
 * environment, find the platform's JWT signing key, connect to the platform's PostgreSQL, Kafka,
 * registry and this service's own port on every address the host has, and read another build's
 * workspace. Each attempt is first shown to work from this host, then to find nothing from the
 * step, whose container sees its checkout and the toolchain image only.
 */
@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(BuildTestResource.class)
class StepIsolationIT {

  @TestHTTPResource("/")
  URL service;

  @Test
  void stepSeesNoPlatformProcessKeyServiceOrOtherWorkspace() throws Exception {
    // What is there to steal on this host.
    Path key =
        Path.of("target", "isolation", ".slipway", "jwt", "private-key.pem").toAbsolutePath();
    Files.createDirectories(key.getParent());
    Files.writeString(
        key, "-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----\n");
    // The audit checkpoint key, as ./slipway keeps it for audit-service (a file in the state folder
    // and that service's environment), and another application's repository and cache.
    Path checkpointKey =
        Path.of("target", "isolation", ".slipway", "audit", "checkpoint-key").toAbsolutePath();
    Files.createDirectories(checkpointKey.getParent());
    String checkpointSecret = "checkpoint-" + java.util.UUID.randomUUID();
    Files.writeString(checkpointKey, checkpointSecret);
    // A process of the platform holding a secret in its environment (as audit-service holds
    // SLIPWAY_AUDIT_CHECKPOINT_KEY): readable from this host, as a step of the old executor did.
    Process platformProcess = platformProcess(checkpointSecret);
    Path otherRepo =
        Path.of("target", "isolation", ".slipway", "git", "other-app.git", "HEAD").toAbsolutePath();
    Files.createDirectories(otherRepo.getParent());
    Files.writeString(otherRepo, "ref: refs/heads/main\n");
    Path otherCache =
        Path.of("target", "build-cache", "other-app", "main", "manifest").toAbsolutePath();
    Files.createDirectories(otherCache.getParent());
    Files.writeString(otherCache, "the other application's cache");
    Path otherWorkspace =
        Path.of("target", "build-workspaces", "another-build", "src").toAbsolutePath();
    Files.createDirectories(otherWorkspace);
    Files.writeString(otherWorkspace.resolve("secret.txt"), "another application's source");
    int postgres = SlipwayInfrastructure.postgres().port();
    int kafka = Integer.parseInt(SlipwayInfrastructure.bootstrapServers().replaceAll(".*:", ""));
    int registry = Integer.parseInt(OciRegistry.address().replaceAll(".*:", ""));
    int http = service.getPort();
    // Read now: BuildReadinessIT stops and starts the container, which may then have another one.
    String postgresContainer = SlipwayInfrastructure.postgresBridgeAddress();
    List<String> targets = new ArrayList<>();
    for (String host : hostAddresses()) {
      for (int port : List.of(postgres, kafka, registry, http)) {
        targets.add(host + ":" + port);
      }
    }
    targets.add(postgresContainer + ":5432");
    targets.add("10.0.2.2:" + postgres);
    targets.add("169.254.169.254:80");
    // From the host, PostgreSQL answers on loopback, on the host's own address (Docker publishes
    // it on every interface) and at its container's address.
    assertThat(connects("127.0.0.1", postgres)).isTrue();
    assertThat(connects(hostAddresses().get(1), postgres)).isTrue();
    assertThat(connects(postgresContainer, 5432)).as(postgresContainer + ":5432").isTrue();

    String application = SampleEvents.newApplication();
    GitFixture.Repo repo =
        GitFixture.create(
            Map.of(
                ".slipway.yaml",
                """
                version: 1
                steps:
                  - name: escape
                    run: bash escape.sh
                image:
                  builder: files
                  files: [escape.sh]
                  entrypoint: [/bin/sh]
                """,
                "escape.sh",
                """
                echo "whoami: $(id)"
                grep '^Cap' /proc/self/status
                echo "processes: $(ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' ')"
                echo "environ with platform settings: $(grep -l -a -s -e SLIPWAY_TEST_ -e QUARKUS_ -e JAVA_HOME /proc/[0-9]*/environ | tr '\\n' ' ')(end)"
                echo "private keys: $(find / -name private-key.pem 2>/dev/null | tr '\\n' ' ')(end)"
                echo "checkpoint keys: $(find / -name checkpoint-key 2>/dev/null | tr '\\n' ' ')(end)"
                echo "environ with the checkpoint key: $(grep -l -a -s -e %s /proc/[0-9]*/environ | tr '\\n' ' ')(end)"
                echo pwned > %s 2>/dev/null && echo "rewrote the other repository" || echo "other repository: not writable"
                echo pwned > %s 2>/dev/null && echo "rewrote the other cache" || echo "other cache: not writable"
                echo "other workspace: $(cat %s/secret.txt 2>&1)"
                for target in %s; do
                  if timeout 3 bash -c "exec 3<>/dev/tcp/${target%%:*}/${target##*:}" 2>/dev/null; then
                    echo "connect $target: OPEN"
                  else
                    echo "connect $target: refused"
                  fi
                done
                awk '$2 == "00000000" { print "default route via " $1 }' /proc/net/route
                """
                    .formatted(
                        checkpointSecret,
                        otherRepo,
                        otherCache,
                        otherWorkspace,
                        String.join(" ", targets))));

    JsonPath build;
    try {
      Builds.start(application, repo);
      build = Builds.awaitEnded(application);
    } finally {
      platformProcess.destroy();
    }

    String log = Builds.log(build.getString("id"));
    System.out.println("---- the escape attempt as the build log shows it ----\n" + log);
    assertThat(build.getString("status")).isEqualTo("SUCCEEDED");
    assertThat(log).contains("whoami: uid=1000").doesNotContain("uid=0(");
    assertThat(log).contains("CapEff:\t0000000000000000").contains("CapBnd:\t0000000000000000");
    String processes = line(log, "processes: ");
    assertThat(processes.trim().split(" ")).as(processes).hasSizeLessThan(8);
    assertThat(log).contains("environ with platform settings: (end)");
    assertThat(log).contains("private keys: (end)");
    assertThat(log).contains("checkpoint keys: (end)");
    assertThat(log).contains("environ with the checkpoint key: (end)");
    assertThat(log).doesNotContain(checkpointSecret);
    assertThat(log)
        .contains("other repository: not writable")
        .contains("other cache: not writable");
    assertThat(Files.readString(otherRepo)).isEqualTo("ref: refs/heads/main\n");
    assertThat(Files.readString(otherCache)).isEqualTo("the other application's cache");
    assertThat(line(log, "other workspace: ")).contains("No such file or directory");
    for (String target : targets) {
      assertThat(log).contains("connect " + target + ": refused");
    }
    assertThat(log).doesNotContain(": OPEN");
    assertThat(log).contains("default route via tap0");
  }

  /**
   * Starts a process whose environment holds {@code secret} and shows that this host (the service's
   * user, which is what a step of the old executor was) reads it from {@code /proc}.
   */
  private static Process platformProcess(String secret) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sleep", "600");
    builder.environment().put("SLIPWAY_AUDIT_CHECKPOINT_KEY", secret);
    Process process = builder.start();
    String environ =
        new String(
            Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "environ")),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(environ).contains("SLIPWAY_AUDIT_CHECKPOINT_KEY=" + secret);
    return process;
  }

  private static String line(String log, String prefix) {
    return log.lines()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line " + prefix))
        .substring(prefix.length());
  }

  /** Loopback first, then every other IPv4 address of this host. */
  private static List<String> hostAddresses() throws Exception {
    List<String> all = new ArrayList<>(List.of("127.0.0.1"));
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          all.add(address.getHostAddress());
        }
      }
    }
    return all;
  }

  private static boolean connects(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
