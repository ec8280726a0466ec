package dev.slipway.scan;

import dev.slipway.testsupport.ReadinessContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class ScanReadinessIT extends ReadinessContract {}
