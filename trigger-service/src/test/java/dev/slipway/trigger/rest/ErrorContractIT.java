package dev.slipway.trigger.rest;

import dev.slipway.testsupport.ProblemContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ErrorContractIT extends ProblemContract {

  @Override
  protected String protectedPath() {
    return "/api/apps";
  }

  @Override
  protected String badRequestPath() {
    return "/api/apps?limit=0";
  }

  @Override
  protected String badRequestField() {
    return "limit";
  }

  @Override
  protected String notFoundPath() {
    return "/api/apps/no-such-app";
  }
}
