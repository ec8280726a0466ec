package dev.slipway.scan.rest;

import dev.slipway.testsupport.ProblemContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ErrorContractIT extends ProblemContract {

  @Override
  protected String protectedPath() {
    return "/api/scans";
  }

  @Override
  protected String badRequestPath() {
    return "/api/scans?limit=0";
  }

  @Override
  protected String badRequestField() {
    return "limit";
  }

  @Override
  protected String notFoundPath() {
    return "/api/scans/no-such-scan";
  }
}
