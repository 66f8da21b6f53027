package dev.spool;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/**
 * The architecture as a test: every package under {@code dev.spool} is a module, and a module may
 * use only the types in another module's base package (its API), never its sub-packages, and never
 * in a cycle. docs/development.md describes the modules.
 */
class ModularityTests {

  static final ApplicationModules MODULES = ApplicationModules.of(SpoolApplication.class);

  @Test
  void modulesHaveNoCyclesAndStayOutOfEachOthersInternals() {
    MODULES.verify();
  }

  @Test
  void writesTheModuleDiagramsToTarget() {
    new Documenter(MODULES).writeModulesAsPlantUml().writeIndividualModulesAsPlantUml();
  }
}
