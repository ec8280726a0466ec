package dev.slipway.audit.rest;

import dev.slipway.audit.AuditTestResource;
import dev.slipway.testsupport.ApiAuthContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Export is for auditors only: a viewer may read events but not take the whole store away. */
@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditExportApiAuthIT extends ApiAuthContract {

  @Override
  protected String protectedPath() {
    return "/api/audit/export";
  }

  @Override
  protected String allowedRole() {
    return "auditor";
  }

  @Override
  protected String forbiddenRole() {
    return "viewer";
  }
}
