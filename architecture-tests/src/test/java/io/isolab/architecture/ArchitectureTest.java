package io.isolab.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency structure isolab is built around, checked over the production classes of every module:
 * the SPI knows no backend, backends know no other backend, the benchmarks reach backends only through
 * the SPI, native calls stay in the backends, and no package cycles.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importEveryModule() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.isolab");
    }

    @Test
    void everyModuleIsImported() {
        // A rule over classes that were never imported would pass vacuously.
        Set<String> roots = classes.stream().map(c -> c.getPackageName().split("\\.")).filter(p -> p.length >= 3)
                .map(p -> p[2] + (p[2].equals("backend") && p.length > 3 ? "." + p[3] : ""))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        assertEquals(Set.of("api", "backend.chroot", "backend.hypervisor", "backend.jail", "backend.linuxns",
                "benchmarks", "cli", "launcher", "workload"), roots);
    }

    @Test
    void apiDependsOnNoBackendBenchmarkOrCli() {
        ArchRule rule = noClasses().that().resideInAPackage("io.isolab.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.isolab.backend..", "io.isolab.launcher..",
                        "io.isolab.benchmarks..", "io.isolab.cli..");
        rule.check(classes);
    }

    @Test
    void backendsDoNotDependOnEachOther() {
        slices().matching("io.isolab.backend.(*)..").should().notDependOnEachOther().check(classes);
    }

    @Test
    void backendsAreReachedOnlyThroughTheApi() {
        noClasses().that().resideInAnyPackage("io.isolab.benchmarks..", "io.isolab.cli..", "io.isolab.workload..")
                .should().dependOnClassesThat().resideInAnyPackage("io.isolab.backend..", "io.isolab.launcher..")
                .check(classes);
    }

    @Test
    void jnaIsUsedOnlyInBackendsAndTheirLauncher() {
        noClasses().that().resideOutsideOfPackages("io.isolab.backend..", "io.isolab.launcher..")
                .should().dependOnClassesThat().resideInAPackage("com.sun.jna..")
                .check(classes);
    }

    @Test
    void theLauncherKnowsNoBackend() {
        noClasses().that().resideInAPackage("io.isolab.launcher..")
                .should().dependOnClassesThat().resideInAnyPackage("io.isolab.backend..")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.isolab.(**)").should().beFreeOfCycles().check(classes);
    }

}
