package dev.slipway.trigger;

import dev.slipway.testsupport.ReadinessContract;
import dev.slipway.testsupport.SlipwayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(SlipwayTestResource.class)
class TriggerReadinessIT extends ReadinessContract {}
