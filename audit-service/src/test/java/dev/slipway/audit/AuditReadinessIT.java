package dev.slipway.audit;

import dev.slipway.testsupport.ReadinessContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(AuditTestResource.class)
class AuditReadinessIT extends ReadinessContract {}
