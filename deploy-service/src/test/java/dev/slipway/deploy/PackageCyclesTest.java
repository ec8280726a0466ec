package dev.slipway.deploy;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * deploy-service's packages depend on each other one way only: rest and messaging on service and
 * rollout, rollout on repository, repository on the domain types at the root (a rollout's state,
 * phase and progress, a revision, a push awaiting approval), which depend on no package of the
 * service.
 */
class PackageCyclesTest {

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.slipway.deploy");

  @Test
  void noPackageCycles() {
    slices().matching("dev.slipway.deploy.(*)..").should().beFreeOfCycles().check(CLASSES);
  }
}
