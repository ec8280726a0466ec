package dev.slipway.deploy;

import dev.slipway.deploy.support.DeploySandboxResource;
import dev.slipway.testsupport.ReadinessContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
@QuarkusTestResource(DeploySandboxResource.class)
class DeployReadinessIT extends ReadinessContract {}
