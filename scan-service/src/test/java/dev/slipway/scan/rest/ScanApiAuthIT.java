package dev.slipway.scan.rest;

import dev.slipway.testsupport.ApiAuthContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ScanApiAuthIT extends ApiAuthContract {

  @Override
  protected String protectedPath() {
    return "/api/scans";
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
