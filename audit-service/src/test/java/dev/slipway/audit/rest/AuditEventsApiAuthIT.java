package dev.slipway.audit.rest;

import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.ApiAuthContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditEventsApiAuthIT extends ApiAuthContract {

  @Override
  protected String protectedPath() {
    return "/api/audit/events";
  }

  @Override
  protected String allowedRole() {
    return "viewer";
  }

  @Override
  protected String forbiddenRole() {
    return "deployer";
  }
}
