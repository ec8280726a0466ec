package dev.slipway.work.access;

import java.util.Set;

/** The roles a role binding can give, and the sets the services' operations ask for. */
public final class Roles {

  public static final String VIEWER = "viewer";
  public static final String DEPLOYER = "deployer";
  public static final String APPROVER = "approver";
  public static final String AUDITOR = "auditor";
  public static final String ADMIN = "admin";

  /** Every role; each may read what its scope covers. */
  public static final Set<String> ALL = Set.of(VIEWER, DEPLOYER, APPROVER, AUDITOR, ADMIN);

  /** Who may read: any role. */
  public static final Set<String> READ = ALL;

  private Roles() {}

  /** Whether {@code role} is one of Slipway's roles. */
  public static boolean isRole(String role) {
    return ALL.contains(role);
  }
}
