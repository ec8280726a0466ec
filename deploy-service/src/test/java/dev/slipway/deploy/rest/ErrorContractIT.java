package dev.slipway.deploy.rest;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.testsupport.ProblemContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class ErrorContractIT extends ProblemContract {

  @Override
  protected String protectedPath() {
    return "/api/approvals";
  }

  @Override
  protected String badRequestPath() {
    return "/api/approvals?status=bogus";
  }

  @Override
  protected String badRequestField() {
    return "status";
  }

  @Override
  protected String notFoundPath() {
    return "/api/approvals/no-such-approval";
  }
}
