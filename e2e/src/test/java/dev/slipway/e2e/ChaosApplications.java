package dev.slipway.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.launcher.demo.GitHubPush;
import dev.slipway.launcher.demo.PlatformClient;
import dev.slipway.testsupport.TestTokens;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.URIish;

/**
 * Applications sized for a load test: each a real Git repository whose build is one no-op step and
 * a one-file image, promoted automatically from dev to staging (rolling, one replica), and a series
 * of commits already pushed, each with the GitHub push webhook that announces it.
 */
final class ChaosApplications {

  /** The environments every application goes through, in order. */
  static final List<String> ENVIRONMENTS = List.of("dev", "staging");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PersonIdent AUTHOR = new PersonIdent("Chaos Monkey", "chaos@example.com");

  /**
   * One push as a Git host would send it: the same delivery id and body on every retry.
   *
   * @param application the application
   * @param sha the commit
   * @param delivery the {@code X-GitHub-Delivery} id
   * @param body the webhook body
   * @param signature {@code X-Hub-Signature-256}
   */
  record Push(String application, String sha, String delivery, byte[] body, String signature) {

    Map<String, String> headers() {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/json");
      headers.put("X-GitHub-Event", "push");
      headers.put("X-GitHub-Delivery", delivery);
      headers.put("X-Hub-Signature-256", signature);
      return headers;
    }
  }

  private ChaosApplications() {}

  /**
   * Registers {@code applications} applications named {@code prefix-N} and commits {@code commits}
   * changes to each; returns the pushes interleaved across applications (one of each, then the next
   * of each), as many teams pushing at once would.
   */
  static List<Push> create(
      PlatformClient client, Path gitRoot, Path work, String prefix, int applications, int commits)
      throws IOException, GitAPIException, GeneralSecurityException, URISyntaxException {
    return create(client, gitRoot, work, prefix, applications, commits, ENVIRONMENTS);
  }

  /** As {@link #create}, each application promoted through {@code environments} only. */
  static List<Push> create(
      PlatformClient client,
      Path gitRoot,
      Path work,
      String prefix,
      int applications,
      int commits,
      List<String> environments)
      throws IOException, GitAPIException, GeneralSecurityException, URISyntaxException {
    List<List<Push>> perApplication = new ArrayList<>();
    for (int a = 0; a < applications; a++) {
      String name = prefix + "-" + a;
      String secret = UUID.randomUUID().toString();
      Path bare = gitRoot.resolve(prefix).resolve(name + ".git");
      Files.createDirectories(bare);
      Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
      Path checkout = work.resolve(prefix).resolve(name);
      Files.createDirectories(checkout);
      List<Push> pushes = new ArrayList<>();
      try (Git git = Git.init().setDirectory(checkout.toFile()).setInitialBranch("main").call()) {
        git.remoteAdd().setName("origin").setUri(new URIish(bare.toUri().toString())).call();
        Files.writeString(
            checkout.resolve(".slipway.yaml"),
            """
            version: 1
            steps:
              - name: noop
                run: "true"
            image:
              builder: files
              files: [index.html]
              entrypoint: [/index.html]
              port: 8080
            """);
        for (int c = 0; c < commits; c++) {
          Files.writeString(checkout.resolve("index.html"), name + " change " + c + "\n");
          git.add().addFilepattern(".").call();
          RevCommit commit =
              git.commit()
                  .setMessage("Change " + c + " of " + name)
                  .setAuthor(AUTHOR)
                  .setCommitter(AUTHOR)
                  .setSign(false)
                  .call();
          byte[] body =
              GitHubPush.body(name, commit.getName(), "Change " + c, AUTHOR, "chaos-monkey");
          pushes.add(
              new Push(
                  name,
                  commit.getName(),
                  UUID.randomUUID().toString(),
                  body,
                  "sha256=" + hmac(secret, body)));
        }
        for (var result : git.push().setRemote("origin").add("main").call()) {
          for (RemoteRefUpdate update : result.getRemoteUpdates()) {
            if (update.getStatus() != RemoteRefUpdate.Status.OK) {
              throw new IllegalStateException("push of " + name + ": " + update.getStatus());
            }
          }
        }
      }
      register(client, name, secret, "file://" + bare, environments);
      perApplication.add(pushes);
    }
    List<Push> interleaved = new ArrayList<>();
    for (int c = 0; c < commits; c++) {
      for (List<Push> pushes : perApplication) {
        interleaved.add(pushes.get(c));
      }
    }
    return interleaved;
  }

  private static void register(
      PlatformClient client, String name, String secret, String url, List<String> environments) {
    ObjectNode app = JSON.createObjectNode();
    app.put("name", name);
    app.put("repositoryUrl", "https://github.com/slipway-demo/" + name);
    app.put("provider", "github");
    app.put("webhookSecret", secret);
    app.putArray("branches").add("main");
    ArrayNode list = app.putArray("environments");
    for (String environmentName : environments) {
      ObjectNode environment = list.addObject();
      environment.put("name", environmentName);
      environment.put("cluster", "local");
      environment.put("namespace", name + "-" + environmentName);
      environment.put("promotion", "auto");
      environment.put("strategy", "rolling");
      ObjectNode deployment = environment.putObject("deployment");
      deployment.put("replicas", 1);
      deployment.put("port", 8080);
      deployment.put("timeoutSeconds", 120);
    }
    app.putObject("scanPolicy").put("failOn", "critical");
    app.putObject("source").put("cloneUrl", url);
    client
        .post(client.endpoints().trigger() + "/api/apps", TestTokens.token("chaos", "admin"), app)
        .expect(201);
  }

  private static String hmac(String secret, byte[] body) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }
}
