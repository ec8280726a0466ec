package dev.slipway.events;

import java.util.List;
import java.util.Map;

/**
 * Payload of {@code access.policy}: who may do what, where, as trigger-service's registry holds it
 * now. Every change to a role binding, an identity link or an application's team or environments
 * makes a new version; the topic is compacted under one key ({@link #KEY}), so a service that reads
 * it from the beginning at start has the current version in memory without calling anyone.
 *
 * @param version increases by one with every change
 * @param applications every application: its team, repository and gates
 * @param bindings role bindings: a group holds a role within a scope
 * @param identities Git host accounts and verified e-mail addresses linked to users by an admin
 * @param change what made this version and who: every change of a binding, an identity link, an
 *     application or a webhook secret is one version, so the audit store, which keeps every record
 *     of this topic, holds each change with its actor; null in the empty policy
 */
public record AccessPolicy(
    long version,
    Map<String, Application> applications,
    List<RoleBinding> bindings,
    List<IdentityLink> identities,
    Change change) {

  /** The record key every snapshot is written under. */
  public static final String KEY = "access-policy";

  public AccessPolicy {
    applications = applications == null ? Map.of() : Map.copyOf(applications);
    bindings = bindings == null ? List.of() : List.copyOf(Require.noNulls(bindings, "bindings"));
    identities =
        identities == null ? List.of() : List.copyOf(Require.noNulls(identities, "identities"));
  }

  /** The policy before anything was configured: no application, binding or identity. */
  public static final AccessPolicy EMPTY =
      new AccessPolicy(0, Map.of(), List.of(), List.of(), null);

  /**
   * One change of the registry's access-relevant state.
   *
   * @param actor who made it (the caller's stable identity)
   * @param action what was done, e.g. {@code binding.created}, {@code application.updated}, {@code
   *     secrets.rotated}
   * @param target what it was done to, e.g. the binding's id or the application's name
   * @param detail the new state or what changed, for a human (never a secret)
   * @param at when
   */
  public record Change(
      String actor, String action, String target, String detail, java.time.OffsetDateTime at) {
    public Change {
      Require.text(actor, "change.actor");
      Require.text(action, "change.action");
      Require.present(at, "change.at");
    }
  }

  /**
   * What the platform knows of one application for access decisions and deploy checks.
   *
   * @param team the team that owns it; null when it belongs to none (only platform roles reach it)
   * @param repoUrl its normalized repository URL: provenance must name it
   * @param environments its chain's gates, in order
   * @param scanPolicy the gate a scan verdict must have been reached under
   */
  public record Application(
      String team, String repoUrl, List<Gate> environments, ScanPolicy scanPolicy) {
    public Application {
      Require.text(repoUrl, "repoUrl");
      environments =
          environments == null
              ? List.of()
              : List.copyOf(Require.noNulls(environments, "environments"));
    }
  }

  /**
   * How a run enters one environment.
   *
   * @param name the environment
   * @param promotion AUTO or MANUAL
   * @param requiredApprovals distinct approvers a manual entry needs
   * @param approvalExpiry how long an approval stays valid (ISO-8601), null for the default
   */
  public record Gate(
      String name,
      EnvironmentSpec.Promotion promotion,
      int requiredApprovals,
      String approvalExpiry) {
    public Gate {
      Require.text(name, "name");
      Require.present(promotion, "promotion");
    }
  }

  /**
   * A group's role within a scope. Scope fields left null widen it: all null is the whole platform;
   * {@code team=shop, environment=prod} is prod of every application of team shop.
   *
   * @param id the binding's id
   * @param version increases with each change of this binding
   * @param group the group as the identity provider names it (after the issuer's prefix)
   * @param role viewer, deployer, approver, auditor or admin
   * @param team applications of this team only
   * @param application this application only
   * @param environment this environment only
   */
  public record RoleBinding(
      String id,
      long version,
      String group,
      String role,
      String team,
      String application,
      String environment) {
    public RoleBinding {
      Require.text(id, "id");
      Require.text(group, "group");
      Require.text(role, "role");
    }
  }

  /**
   * The accounts an admin linked to one user, so an approver is recognised as the author or pusher
   * of a change whatever name they used there.
   *
   * @param user the user as tokens name them: {@code issuer-name/subject}
   * @param accounts Git host accounts
   * @param emails verified e-mail addresses
   */
  public record IdentityLink(String user, List<Account> accounts, List<String> emails) {
    public IdentityLink {
      Require.text(user, "user");
      accounts = accounts == null ? List.of() : List.copyOf(Require.noNulls(accounts, "accounts"));
      emails = emails == null ? List.of() : List.copyOf(Require.noNulls(emails, "emails"));
    }
  }

  /**
   * One Git host account.
   *
   * @param provider github, gitlab, bitbucket or gitea
   * @param id the host's account id, when known
   * @param login the account name
   */
  public record Account(String provider, String id, String login) {
    public Account {
      Require.text(provider, "provider");
      if ((id == null || id.isBlank()) && (login == null || login.isBlank())) {
        throw new EventFormatException("accounts[]", "needs an id or a login");
      }
    }
  }
}
