package dev.slipway.audit;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import org.junit.jupiter.api.Test;

/**
 * The service's packages depend on each other one way only: rest and messaging on service, service
 * on repository, everything on the domain packages (merkle, content, checkpoint, dora) and the row
 * at the root; the Merkle library depends on nothing of the service, so the log and any client use
 * it alike.
 */
class PackageCyclesTest {

  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.slipway.audit");

  @Test
  void noPackageCycles() {
    slices().matching("dev.slipway.audit.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void theMerkleLibraryStandsAlone() {
    ArchRuleDefinition.noClasses()
        .that()
        .resideInAPackage("dev.slipway.audit.merkle..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("dev.slipway.audit.merkle..", "java..")
        .check(CLASSES);
  }

  @Test
  void theRowDependsOnNoPackageOfTheService() {
    ArchRuleDefinition.noClasses()
        .that()
        .resideInAPackage("dev.slipway.audit")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.slipway.audit.*..")
        .check(CLASSES);
  }
}
