package dev.slipway.audit.rest;

import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.ProblemContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class ErrorContractIT extends ProblemContract {

  @Override
  protected String protectedPath() {
    return "/api/audit/events";
  }

  @Override
  protected String badRequestPath() {
    return "/api/audit/events?limit=ten";
  }

  @Override
  protected String badRequestField() {
    return "limit";
  }

  @Override
  protected String notFoundPath() {
    return "/api/audit/runs/no-such-run";
  }

  // A deployer holds neither role the trail is read with.
  @Override
  protected String forbiddenRole() {
    return "deployer";
  }
}
