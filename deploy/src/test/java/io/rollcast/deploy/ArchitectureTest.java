package io.rollcast.deploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The arrows between modules that must never exist (docs/architecture.md), checked on the compiled
 * main classes of every module: the Flink-free modules use no Flink, the model and the operators do
 * no I/O, and nothing reaches "up" the module map.
 */
class ArchitectureTest {
    private static final String[] IO = {
        "java.net..",
        "java.sql..",
        "java.nio.file..",
        "javax.sql..",
        "redis.clients..",
        "org.apache.kafka..",
        "io.netty..",
        "org.postgresql.."
    };

    static final ArchRule MODEL_IS_PURE = noClasses()
            .that()
            .resideInAPackage("io.rollcast.model..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(concat(
                    IO,
                    "org.apache.flink..",
                    "com.fasterxml.jackson.databind..",
                    "io.rollcast.store..",
                    "io.rollcast.operators..",
                    "io.rollcast.sinks..",
                    "io.rollcast.jobs..",
                    "io.rollcast.fanout..",
                    "io.rollcast.testkit.."))
            .because("the model is the contract every module shares: no Flink, no I/O, no other Rollcast module");

    static final ArchRule STORE_HAS_NO_FLINK = noClasses()
            .that()
            .resideInAPackage("io.rollcast.store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.apache.flink..",
                    "io.rollcast.operators..",
                    "io.rollcast.sinks..",
                    "io.rollcast.jobs..",
                    "io.rollcast.fanout..")
            .because("the store module is read by the Flink-free fan-out and written through Flink adapters in sinks/");

    static final ArchRule CONFIG_IS_SHARED = noClasses()
            .that()
            .resideInAPackage("io.rollcast.config..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.apache.flink..",
                    "io.rollcast.store..",
                    "io.rollcast.operators..",
                    "io.rollcast.sinks..",
                    "io.rollcast.jobs..",
                    "io.rollcast.fanout..")
            .because("the config library serves the job and the Flink-free fan-out alike");

    static final ArchRule FANOUT_HAS_NO_FLINK = noClasses()
            .that()
            .resideInAPackage("io.rollcast.fanout..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.apache.flink..", "io.rollcast.operators..", "io.rollcast.sinks..", "io.rollcast.jobs..")
            .because("the fan-out runs without Flink and talks to the job only through Redis and the stores");

    static final ArchRule OPERATORS_DO_NO_IO = noClasses()
            .that()
            .resideInAPackage("io.rollcast.operators..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(concat(
                    IO,
                    "java.io.File",
                    "io.rollcast.store..",
                    "io.rollcast.sinks..",
                    "io.rollcast.jobs..",
                    "io.rollcast.fanout.."))
            .because("operators are pure functions of their input and state; sources and sinks do the I/O");

    static final ArchRule SINKS_ARE_ADAPTERS = noClasses()
            .that()
            .resideInAPackage("io.rollcast.sinks..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.rollcast.operators..", "io.rollcast.jobs..", "io.rollcast.fanout..")
            .because("sinks adapt stores to Flink; the job wires them to the operators, not the other way round");

    static final ArchRule ONLY_THE_JOB_USES_THE_JOB = noClasses()
            .that()
            .resideOutsideOfPackages("io.rollcast.jobs..", "org.apache.flink.connector.kafka..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.rollcast.jobs..")
            .because("jobs/ is the top of the map: topology, config and commands");

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        List<Path> dirs = new ArrayList<>();
        for (String module : List.of("model", "config", "store", "operators", "sinks", "jobs", "fanout")) {
            Path classes = Repo.path(module + "/target/classes");
            if (!Files.isDirectory(classes)) {
                throw new IllegalStateException(
                        classes + " is missing: build the modules first (mvn verify builds them before deploy/)");
            }
            dirs.add(classes);
        }
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPaths(dirs);
    }

    @Test
    void theModelUsesNoFlinkNoIoAndNoOtherModule() {
        MODEL_IS_PURE.check(main);
    }

    @Test
    void theStoreUsesNoFlink() {
        STORE_HAS_NO_FLINK.check(main);
    }

    @Test
    void theConfigLibraryUsesNoFlinkAndNoService() {
        CONFIG_IS_SHARED.check(main);
    }

    @Test
    void theFanoutUsesNoFlinkAndNoJobModule() {
        FANOUT_HAS_NO_FLINK.check(main);
    }

    @Test
    void operatorsDoNoIo() {
        OPERATORS_DO_NO_IO.check(main);
    }

    @Test
    void sinksDependOnNoOperatorJobOrFanout() {
        SINKS_ARE_ADAPTERS.check(main);
    }

    @Test
    void nothingButTheJobDependsOnTheJob() {
        ONLY_THE_JOB_USES_THE_JOB.check(main);
    }

    /** The rules are not vacuous: a planted model class that imports a Flink class fails the model rule. */
    @Test
    void aPlantedFlinkImportInTheModelFailsTheRule() {
        JavaClasses planted =
                new ClassFileImporter().importPackages("io.rollcast.model.planted", "org.apache.flink.planted");
        assertThatThrownBy(() -> MODEL_IS_PURE.check(planted))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ReachesForFlink")
                .hasMessageContaining("org.apache.flink.planted.FlinkThing");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
