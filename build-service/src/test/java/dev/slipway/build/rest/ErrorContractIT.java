package dev.slipway.build.rest;

import dev.slipway.testsupport.ProblemContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ErrorContractIT extends ProblemContract {

  @Override
  protected String protectedPath() {
    return "/api/builds";
  }

  @Override
  protected String badRequestPath() {
    return "/api/builds?status=bogus";
  }

  @Override
  protected String badRequestField() {
    return "status";
  }

  @Override
  protected String notFoundPath() {
    return "/api/builds/no-such-build";
  }
}
