package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * helm/rollcast lints strictly and renders the savepoint-upgradable FlinkDeployment and the fan-out
 * the way the docs promise. Helm runs in-process (helm-java embeds Helm 3), so no helm CLI is needed.
 */
class HelmChartIT {
    private static final Helm CHART = new Helm(Repo.path("helm/rollcast"));
    private static final String RELEASE = "rollcast";

    /** Renders the chart with the given --set pairs (key, value, key, value, ...) and parses every document. */
    private static List<Map<String, Object>> render(String... sets) {
        return Repo.yamlDocuments(template(RELEASE, sets));
    }

    private static String template(String release, String... sets) {
        TemplateCommand t = CHART.template().withName(release).withNamespace("streaming");
        for (int i = 0; i + 1 < sets.length; i += 2) t = t.set(sets[i], sets[i + 1]);
        return t.call();
    }

    private static Map<String, Object> one(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> found = all(docs, kind);
        assertThat(found).as("rendered %s", kind).hasSize(1);
        return found.get(0);
    }

    private static List<Map<String, Object>> all(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static Map<String, Object> byName(List<Map<String, Object>> docs, String kind, String name) {
        return all(docs, kind).stream()
                .filter(d -> name.equals(Repo.at(d, "metadata", "name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    @Test
    void lintStrictPasses() {
        LintResult r = CHART.lint().strict().call();
        assertThat(r.isFailed())
                .as("helm lint --strict helm/rollcast:\n%s", String.join("\n", r.getMessages()))
                .isFalse();
    }

    @Test
    void flinkDeploymentUpgradesWithSavepointsOnRocksDbAndKubernetesHa() {
        Map<String, Object> fd = one(render(), "FlinkDeployment");
        assertThat((String) fd.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        assertThat((String) Repo.at(fd, "spec", "flinkVersion")).isEqualTo(Repo.operatorFlinkVersion());
        assertThat((String) Repo.at(fd, "spec", "image"))
                .as("job image tag = <appVersion>-flink<flink.version of the parent pom>")
                .isEqualTo(
                        "rollcast/flink-job:" + Repo.releaseVersion() + "-flink" + Repo.pomProperty("flink.version"));

        Map<String, Object> conf = Repo.at(fd, "spec", "flinkConfiguration");
        assertThat(conf)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("high-availability.type", "kubernetes")
                .containsEntry("execution.checkpointing.dir", "file:///opt/flink/data/checkpoints")
                .containsEntry("execution.checkpointing.savepoint-dir", "file:///opt/flink/data/savepoints")
                .containsEntry("high-availability.storageDir", "file:///opt/flink/data/ha");
        assertThat(conf.values())
                .as("flinkConfiguration is a map of strings in the CRD")
                .allMatch(v -> v instanceof String);

        Map<String, Object> job = Repo.at(fd, "spec", "job");
        assertThat(job)
                .containsEntry("jarURI", "local:///opt/flink/usrlib/rollcast-jobs.jar")
                .containsEntry("entryClass", "io.rollcast.jobs.RollupJob")
                .containsEntry("upgradeMode", "savepoint")
                .containsEntry("state", "running")
                .containsEntry("parallelism", 2)
                .containsEntry("args", List.of("--config", "/opt/flink/conf/rollcast/job.yaml"));
    }

    @Test
    void argsAndDirectoriesComeFromValues() {
        Map<String, Object> fd = one(
                render(
                        "job.overrides.windows\\.early-interval", "100ms",
                        "job.overrides.kafka\\.starting-offsets", "earliest",
                        "job.extraArgs[0]", "--print-config-table",
                        "job.parallelism", "4",
                        "job.storage.baseDir", "s3://state-bucket/rollcast/",
                        "job.storage.savepointDir", "s3://savepoints/rollcast"),
                "FlinkDeployment");
        assertThat((List<Object>) Repo.at(fd, "spec", "job", "args"))
                .containsExactly(
                        "--config",
                        "/opt/flink/conf/rollcast/job.yaml",
                        "--set",
                        "kafka.starting-offsets=earliest",
                        "--set",
                        "windows.early-interval=100ms",
                        "--print-config-table");
        assertThat((Object) Repo.at(fd, "spec", "job", "parallelism")).isEqualTo(4);
        Map<String, Object> conf = Repo.at(fd, "spec", "flinkConfiguration");
        assertThat(conf)
                .containsEntry("execution.checkpointing.dir", "s3://state-bucket/rollcast/checkpoints")
                .containsEntry("execution.checkpointing.savepoint-dir", "s3://savepoints/rollcast")
                .containsEntry("high-availability.storageDir", "s3://state-bucket/rollcast/ha");
        assertThat(render("job.storage.baseDir", "s3://b/r").stream().map(d -> d.get("kind")))
                .as("no volume claim for object-store state")
                .doesNotContain("PersistentVolumeClaim");
    }

    @Test
    void jobConfigReachesTheJobManagerAsMountedFileWithKnownKeysAndNoPasswords() {
        List<Map<String, Object>> docs = render("secrets.postgresPassword", "s3cr3t");
        Map<String, Object> fd = one(docs, "FlinkDeployment");
        String configMapName = Repo.at(fd, "metadata", "name") + "-config";
        Map<String, Object> cm = byName(docs, "ConfigMap", configMapName);
        String jobYaml = Repo.at(cm, "data", "job.yaml");
        Map<String, String> keys = Repo.flatten(Repo.yaml(jobYaml));
        assertThat(keys.keySet()).as("job.yaml keys unknown to JobConfig").isSubsetOf(Repo.jobConfigKeys());
        assertThat(keys).containsEntry("kafka.bootstrap-servers", "kafka:9092");
        assertThat(jobYaml).doesNotContain("password", "s3cr3t");

        Map<String, Object> jmSpec = Repo.at(fd, "spec", "jobManager", "podTemplate", "spec");
        Map<String, Object> main = Repo.named(Repo.at(jmSpec, "containers"), "flink-main-container");
        assertThat(Repo.named(Repo.at(main, "volumeMounts"), "job-config"))
                .containsEntry("mountPath", "/opt/flink/conf/rollcast");
        Map<String, Object> init = Repo.named(Repo.at(jmSpec, "initContainers"), "job-config");
        assertThat(init).as("init container that adds the passwords").isNotNull();
        assertThat((String) Repo.at(Repo.named(Repo.at(jmSpec, "volumes"), "job-config-template"), "configMap", "name"))
                .isEqualTo(configMapName);
        Map<String, Object> secret = one(docs, "Secret");
        assertThat((String) Repo.at(
                        Repo.named(Repo.at(init, "env"), "POSTGRES_PASSWORD"), "valueFrom", "secretKeyRef", "name"))
                .isEqualTo(Repo.at(secret, "metadata", "name"));
        assertThat(new String(Base64.getDecoder().decode((String) Repo.at(secret, "data", "postgres-password"))))
                .isEqualTo("s3cr3t");
    }

    @Test
    void changingTheJobConfigChangesTheSpecSoTheOperatorUpgrades() {
        String before = Repo.at(
                one(render(), "FlinkDeployment"),
                "spec",
                "podTemplate",
                "metadata",
                "annotations",
                "checksum/job-config");
        String after = Repo.at(
                one(render("job.config.windows.early-interval", "100ms"), "FlinkDeployment"),
                "spec",
                "podTemplate",
                "metadata",
                "annotations",
                "checksum/job-config");
        assertThat(before).isNotBlank().isNotEqualTo(after);
    }

    @Test
    void fanoutHasHealthProbesResourcesAndTheSecret() {
        List<Map<String, Object>> docs = render();
        Map<String, Object> deployment = one(docs, "Deployment");
        Map<String, Object> container =
                Repo.named(Repo.at(deployment, "spec", "template", "spec", "containers"), "fanout");
        assertThat((String) Repo.at(container, "image")).isEqualTo("rollcast/fanout:" + Repo.releaseVersion());
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat((String) Repo.at(container, probe, "httpGet", "path"))
                    .as(probe)
                    .isEqualTo("/healthz");
            assertThat((String) Repo.at(container, probe, "httpGet", "port"))
                    .as(probe)
                    .isEqualTo("http");
        }
        assertThat((Object) Repo.at(Repo.named(Repo.at(container, "ports"), "http"), "containerPort"))
                .isEqualTo(8080);
        assertThat((Map<String, Object>) Repo.at(container, "resources", "requests"))
                .containsKeys("cpu", "memory");
        assertThat((Map<String, Object>) Repo.at(container, "resources", "limits"))
                .containsKey("memory");
        assertThat((Object) Repo.at(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"))
                .isEqualTo(true);

        Map<String, Object> secret = one(docs, "Secret");
        Map<String, Object> ref = Repo.at(
                Repo.named(Repo.at(container, "env"), "ROLLCAST_FANOUT_AUTH_SECRET"), "valueFrom", "secretKeyRef");
        assertThat(ref)
                .containsEntry("name", Repo.at(secret, "metadata", "name"))
                .containsEntry("key", "jwt-hmac-key");
        assertThat(Base64.getDecoder().decode((String) Repo.at(secret, "data", "jwt-hmac-key")))
                .as("a generated key when none is given")
                .hasSizeGreaterThanOrEqualTo(32);
        assertThat((Object) Repo.at(deployment, "spec", "replicas")).isEqualTo(2);

        Map<String, Object> service = one(docs, "Service");
        assertThat((Object) Repo.at(service, "spec", "ports", "0", "targetPort"))
                .isEqualTo("http");
        assertThat((Map<String, Object>) Repo.at(service, "spec", "selector"))
                .isEqualTo(Repo.at(deployment, "spec", "selector", "matchLabels"));
    }

    @Test
    void fanoutGetsOnlyFanoutConfigKeysAndVariablesWithTheKeyAndPasswordsFromTheSecret() throws Exception {
        List<Map<String, Object>> docs = render("secrets.postgresPassword", "s3cr3t");
        Map<String, Object> deployment = one(docs, "Deployment");
        Map<String, Object> container =
                Repo.named(Repo.at(deployment, "spec", "template", "spec", "containers"), "fanout");
        Map<String, Object> cm = byName(docs, "ConfigMap", Repo.at(deployment, "metadata", "name") + "-config");
        String fanoutYaml = Repo.at(cm, "data", "fanout.yaml");
        Map<String, String> keys = Repo.flatten(Repo.yaml(fanoutYaml));
        Set<String> known = Set.copyOf(io.rollcast.fanout.config.FanoutConfig.options().stream()
                .map(io.rollcast.config.Option::key)
                .toList());
        assertThat(keys.keySet()).as("fanout.yaml keys unknown to FanoutConfig").isSubsetOf(known);
        var cfg = FanoutConfigFilesTest.load(keys, Map.of("ROLLCAST_FANOUT_AUTH_SECRET", "k".repeat(40)));
        assertThat(cfg.host()).isEqualTo("0.0.0.0");
        assertThat((Object) cfg.port())
                .isEqualTo(Repo.at(Repo.named(Repo.at(container, "ports"), "http"), "containerPort"));
        assertThat(Repo.named(Repo.at(container, "volumeMounts"), "config"))
                .containsEntry("mountPath", "/etc/rollcast");

        List<Map<String, Object>> env = Repo.at(container, "env");
        Set<String> envNames = Set.copyOf(known.stream()
                .map(io.rollcast.fanout.config.FanoutConfig::envName)
                .toList());
        assertThat(env)
                .extracting(e -> (String) e.get("name"))
                .allSatisfy(n -> assertThat(n).isIn(envNames));
        Map<String, String> fromSecret = Map.of(
                "auth.secret",
                "jwt-hmac-key",
                "store.postgres.password",
                "postgres-password",
                "store.clickhouse.password",
                "clickhouse-password");
        String secretName = Repo.at(one(docs, "Secret"), "metadata", "name");
        fromSecret.forEach((key, secretKey) -> assertThat((Map<String, Object>) Repo.at(
                        Repo.named(env, io.rollcast.fanout.config.FanoutConfig.envName(key)),
                        "valueFrom",
                        "secretKeyRef"))
                .as("%s from the Secret", key)
                .containsEntry("name", secretName)
                .containsEntry("key", secretKey));
    }

    @Test
    void flinkPodsAndFanoutPodsAnnouncePrometheusEndpointsUnlessDisabled() {
        List<Map<String, Object>> docs = render();
        Map<String, Object> fd = one(docs, "FlinkDeployment");
        Map<String, Object> conf = Repo.at(fd, "spec", "flinkConfiguration");
        assertThat(conf)
                .containsEntry(
                        "metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("metrics.reporter.prom.port", "9249");
        assertThat((Map<String, Object>) Repo.at(fd, "spec", "podTemplate", "metadata", "annotations"))
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", "9249")
                .containsEntry("prometheus.io/path", "/metrics");
        assertThat((Map<String, Object>)
                        Repo.at(one(docs, "Deployment"), "spec", "template", "metadata", "annotations"))
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/port", "8080")
                .containsEntry("prometheus.io/path", "/metrics");

        List<Map<String, Object>> off = render("job.metrics.enabled", "false", "fanout.metrics.annotations", "false");
        Map<String, Object> offFd = one(off, "FlinkDeployment");
        assertThat((Map<String, Object>) Repo.at(offFd, "spec", "flinkConfiguration"))
                .doesNotContainKey("metrics.reporter.prom.factory.class");
        assertThat((Map<String, Object>) Repo.at(offFd, "spec", "podTemplate", "metadata", "annotations"))
                .doesNotContainKey("prometheus.io/scrape");
        assertThat((Map<String, Object>) Repo.at(one(off, "Deployment"), "spec", "template", "metadata", "annotations"))
                .doesNotContainKey("prometheus.io/scrape");
    }

    @Test
    void fanoutPodDisruptionBudgetSelectsTheFanoutPods() {
        List<Map<String, Object>> docs = render();
        Map<String, Object> pdb = one(docs, "PodDisruptionBudget");
        assertThat((Map<String, Object>) Repo.at(pdb, "spec", "selector", "matchLabels"))
                .isEqualTo(Repo.at(one(docs, "Deployment"), "spec", "selector", "matchLabels"));
        assertThat((Object) Repo.at(pdb, "spec", "minAvailable")).isEqualTo(1);
        assertThat(all(render("fanout.podDisruptionBudget.enabled", "false"), "PodDisruptionBudget"))
                .isEmpty();
        assertThat(all(render("fanout.enabled", "false"), "PodDisruptionBudget"))
                .isEmpty();
    }

    @Test
    void hpaRendersOnlyWhenEnabled() {
        assertThat(all(render(), "HorizontalPodAutoscaler")).isEmpty();
        List<Map<String, Object>> docs =
                render("fanout.autoscaling.enabled", "true", "fanout.autoscaling.maxReplicas", "7");
        Map<String, Object> hpa = one(docs, "HorizontalPodAutoscaler");
        Map<String, Object> deployment = one(docs, "Deployment");
        assertThat((String) Repo.at(hpa, "spec", "scaleTargetRef", "name"))
                .isEqualTo(Repo.at(deployment, "metadata", "name"));
        assertThat((Object) Repo.at(hpa, "spec", "maxReplicas")).isEqualTo(7);
        assertThat((Map<String, Object>) Repo.at(deployment, "spec"))
                .as("the HPA owns the replica count")
                .doesNotContainKey("replicas");
    }

    @Test
    void existingSecretIsReferencedInsteadOfCreated() {
        List<Map<String, Object>> docs = render("secrets.existingSecret", "rollcast-prod");
        assertThat(all(docs, "Secret")).isEmpty();
        Map<String, Object> container = Repo.at(one(docs, "Deployment"), "spec", "template", "spec", "containers", "0");
        assertThat((String) Repo.at(
                        Repo.named(Repo.at(container, "env"), "ROLLCAST_FANOUT_AUTH_SECRET"),
                        "valueFrom",
                        "secretKeyRef",
                        "name"))
                .isEqualTo("rollcast-prod");
        Map<String, Object> init = Repo.at(
                one(docs, "FlinkDeployment"), "spec", "jobManager", "podTemplate", "spec", "initContainers", "0");
        assertThat((String) Repo.at(
                        Repo.named(Repo.at(init, "env"), "CLICKHOUSE_PASSWORD"), "valueFrom", "secretKeyRef", "name"))
                .isEqualTo("rollcast-prod");
    }

    @Test
    void givenHmacKeyIsUsedAndAShortOneRefused() {
        String key = "0123456789abcdef0123456789abcdef-key";
        Map<String, Object> secret = one(render("secrets.jwtHmacKey", key), "Secret");
        assertThat(new String(Base64.getDecoder().decode((String) Repo.at(secret, "data", "jwt-hmac-key"))))
                .isEqualTo(key);
        assertThatThrownBy(() -> render("secrets.jwtHmacKey", "too-short"))
                .hasMessageContaining("secrets.jwtHmacKey must be at least 32 characters");
    }

    @Test
    void brokenValuesFailWithAClearMessage() {
        assertThatThrownBy(() -> render("job.image.repository", ""))
                .hasMessageContaining("job.image.repository is required");
        assertThatThrownBy(() -> render("fanout.image.repository", ""))
                .hasMessageContaining("fanout.image.repository is required");
        assertThatThrownBy(() -> render("job.image.tag", ""))
                .hasMessageContaining("job.image.tag (or job.image.digest) is required");
        assertThatThrownBy(() -> render("job.config.kafka.bootstrap-servers", ""))
                .hasMessageContaining("job.config.kafka.bootstrap-servers is required");
        assertThatThrownBy(() -> render("job.storage.baseDir", ""))
                .hasMessageContaining("job.storage.baseDir is required");
        assertThatThrownBy(() -> render("job.flinkVersion", "")).hasMessageContaining("job.flinkVersion is required");
        assertThatThrownBy(() -> render("job.flinkConfiguration.state\\.backend\\.type", "hashmap"))
                .hasMessageContaining("job.flinkConfiguration.state.backend.type is set by the chart");
        assertThatThrownBy(() -> render("job.config.store.postgres.password", "plain"))
                .hasMessageContaining("passwords must not go into the job ConfigMap");
        assertThatThrownBy(() -> render("job.overrides.store\\.clickhouse\\.password", "plain"))
                .hasMessageContaining("passwords would be visible in the FlinkDeployment");
        assertThatThrownBy(() -> render("job.upgradeMode", "savepoints"))
                .hasMessageContaining("use savepoint, last-state or stateless");
    }

    @Test
    void digestWinsOverTag() {
        String digest = "sha256:" + "a".repeat(64);
        assertThat((String) Repo.at(one(render("job.image.digest", digest), "FlinkDeployment"), "spec", "image"))
                .isEqualTo("rollcast/flink-job@" + digest);
    }

    @Test
    void namesStayWithinKubernetesAndFlinkLimits() {
        String release = "streaming-platform-of-team-x-rollups-and-dashboards-1"; // Helm's maximum: 53
        List<Map<String, Object>> docs = Repo.yamlDocuments(template(release));
        assertThat(docs)
                .isNotEmpty()
                .allSatisfy(
                        d -> assertThat((String) Repo.at(d, "metadata", "name")).hasSizeLessThanOrEqualTo(63));
        assertThat((String) Repo.at(one(docs, "FlinkDeployment"), "metadata", "name"))
                .as("the FlinkDeployment name is the Flink cluster-id, at most 45 characters")
                .hasSizeLessThanOrEqualTo(45);
        assertThat(Set.copyOf(docs.stream().map(d -> (String) d.get("kind")).toList()))
                .contains("FlinkDeployment", "ConfigMap", "Secret", "Deployment", "Service", "PersistentVolumeClaim");
    }
}
