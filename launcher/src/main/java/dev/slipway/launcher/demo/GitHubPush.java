package dev.slipway.launcher.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.eclipse.jgit.lib.PersonIdent;

/** The body GitHub sends for a push of one commit to {@code main}, as its documentation shows. */
public final class GitHubPush {

  private static final ObjectMapper JSON = new ObjectMapper();

  private GitHubPush() {}

  public static byte[] body(
      String repository, String sha, String message, PersonIdent author, String login) {
    String repoUrl = "https://github.com/slipway-demo/" + repository;
    String time =
        OffsetDateTime.now(ZoneOffset.UTC)
            .withNano(0)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    ObjectNode push = JSON.createObjectNode();
    push.put("ref", "refs/heads/main");
    push.put("before", "0".repeat(40));
    push.put("after", sha);
    push.put("created", false);
    push.put("deleted", false);
    push.put("forced", false);
    push.put("compare", repoUrl + "/commit/" + sha);
    ObjectNode commit = push.putArray("commits").addObject();
    commit(commit, sha, message, time, author, login);
    commit.putArray("added");
    commit.putArray("removed");
    commit.putArray("modified").add("Dockerfile");
    commit(push.putObject("head_commit"), sha, message, time, author, login);
    ObjectNode repo = push.putObject("repository");
    repo.put("id", 1296269);
    repo.put("name", repository);
    repo.put("full_name", "slipway-demo/" + repository);
    repo.put("html_url", repoUrl);
    repo.put("clone_url", repoUrl + ".git");
    repo.put("ssh_url", "git@github.com:slipway-demo/" + repository + ".git");
    repo.put("default_branch", "main");
    ObjectNode pusher = push.putObject("pusher");
    pusher.put("name", login);
    pusher.put("email", author.getEmailAddress());
    ObjectNode sender = push.putObject("sender");
    sender.put("login", login);
    sender.put("id", 1);
    try {
      return JSON.writeValueAsBytes(push);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void commit(
      ObjectNode commit,
      String sha,
      String message,
      String time,
      PersonIdent author,
      String login) {
    commit.put("id", sha);
    commit.put("message", message);
    commit.put("timestamp", time);
    for (String role : new String[] {"author", "committer"}) {
      ObjectNode person = commit.putObject(role);
      person.put("name", author.getName());
      person.put("email", author.getEmailAddress());
      person.put("username", login);
    }
  }
}
