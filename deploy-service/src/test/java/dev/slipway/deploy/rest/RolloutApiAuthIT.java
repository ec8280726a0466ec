package dev.slipway.deploy.rest;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.testsupport.ApiAuthContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class RolloutApiAuthIT extends ApiAuthContract {

  @Override
  protected String protectedPath() {
    return "/api/rollouts";
  }

  @Override
  protected String allowedRole() {
    return "viewer";
  }

  @Override
  protected String forbiddenRole() {
    return "contractor";
  }
}
