package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every manifest the chart renders, for each values file in helm/rollcast/ci, is valid for the API
 * server that will receive it: each FlinkDeployment against the Flink Kubernetes Operator 1.15.0
 * CRD's openAPIV3Schema (shared/crds; objects made strict: a field the schema does not name is an
 * error, as a typo would otherwise be pruned silently), its pod templates and every core object
 * (Deployment, Service, HPA, ConfigMap, Secret, PVC, PodDisruptionBudget) against fabric8's
 * Kubernetes model with unknown fields refused. Deliberately wrong fields make the checks fail.
 */
class ManifestSchemaIT {
    private static final Helm CHART = new Helm(Repo.path("helm/rollcast"));
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Map<String, Class<?>> CORE = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    private static JsonSchema flinkDeploymentSchema;

    /** shared/crds beside the checkout (as CI lays it out), or $ROLLCAST_SHARED_DIR/crds. */
    static Path crd() {
        String dir = System.getenv("ROLLCAST_SHARED_DIR");
        Path shared = dir != null && !dir.isEmpty() ? Path.of(dir) : Repo.ROOT.resolveSibling("shared");
        Path crd = shared.resolve("crds/flinkdeployments.flink.apache.org-v1.yml");
        assertThat(crd)
                .as("the operator's CRD (shared/crds beside the checkout, or set ROLLCAST_SHARED_DIR)")
                .exists();
        return crd;
    }

    @BeforeAll
    static void loadCrdSchema() throws Exception {
        JsonNode crd = Repo.YAML.readTree(Files.readString(crd()));
        JsonNode version = null;
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals("v1beta1")) version = v;
        }
        assertThat(version).as("the CRD serves flink.apache.org/v1beta1").isNotNull();
        ObjectNode schema =
                (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
        // the API server itself handles the fields every object has (metadata: checked as ObjectMeta below)
        ObjectNode props = (ObjectNode) schema.path("properties");
        props.putObject("apiVersion").put("type", "string");
        props.putObject("kind").put("type", "string");
        props.putObject("metadata").put("type", "object");
        strict(schema);
        flinkDeploymentSchema =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
    }

    /**
     * The API server prunes fields a structural schema does not name; here they are errors: every
     * object with properties and no additionalProperties or x-kubernetes-preserve-unknown-fields
     * gets additionalProperties: false. OpenAPI's nullable becomes a null type.
     */
    static void strict(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("properties")
                    && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
                o.put("additionalProperties", false);
            }
            if (o.path("nullable").asBoolean() && o.has("type")) {
                String type = o.get("type").asText();
                o.putArray("type").add(type).add("null");
            }
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) strict(it.next());
    }

    /** Renders the chart with a values file of helm/rollcast/ci (or none for "default"). */
    static List<Map<String, Object>> render(String values, String... sets) {
        TemplateCommand t = CHART.template().withName("rollcast").withNamespace("streaming");
        if (!values.equals("default")) t = t.withValuesFile(Repo.path("helm/rollcast/ci/" + values + "-values.yaml"));
        for (int i = 0; i + 1 < sets.length; i += 2) t = t.set(sets[i], sets[i + 1]);
        return Repo.yamlDocuments(t.call());
    }

    /** Every problem of one rendered document, as "kind/name: message". */
    static List<String> problems(Map<String, Object> doc) {
        String what = doc.get("kind") + "/" + Repo.at(doc, "metadata", "name");
        String type = doc.get("apiVersion") + "/" + doc.get("kind");
        List<String> out = new ArrayList<>();
        Consumer<String> add = m -> out.add(what + ": " + m);
        if (type.equals("flink.apache.org/v1beta1/FlinkDeployment")) {
            JsonNode node = JSON.valueToTree(doc);
            for (ValidationMessage m : flinkDeploymentSchema.validate(node)) add.accept(m.getMessage());
            model(doc.get("metadata"), io.fabric8.kubernetes.api.model.ObjectMeta.class, "metadata")
                    .forEach(add);
            // the pod templates are Pods to the operator (the CRD leaves them open)
            for (String[] p : List.of(
                    new String[] {"spec", "podTemplate"},
                    new String[] {"spec", "jobManager", "podTemplate"},
                    new String[] {"spec", "taskManager", "podTemplate"})) {
                Object tpl = Repo.at(doc, p);
                if (tpl != null)
                    model(tpl, PodTemplateSpec.class, String.join(".", p)).forEach(add);
            }
        } else if (CORE.containsKey(type)) {
            model(doc, CORE.get(type), "").forEach(add);
        } else {
            add.accept("no schema for " + type + ": add it to ManifestSchemaIT");
        }
        return out;
    }

    /** Reads {@code value} as {@code type} of fabric8's model; wrong types and unknown fields are problems. */
    static List<String> model(Object value, Class<?> type, String path) {
        List<String> out = new ArrayList<>();
        Object parsed;
        try {
            parsed = JSON.convertValue(value, type);
        } catch (IllegalArgumentException e) {
            out.add((path.isEmpty() ? "" : path + ": ")
                    + e.getMessage().lines().findFirst().orElse(""));
            return out;
        }
        unknownFields(parsed, path, out, new IdentityHashMap<>());
        return out;
    }

    /** fabric8's classes keep fields they do not know in additionalProperties: any there is an unknown field. */
    @SuppressWarnings("unchecked")
    static void unknownFields(Object o, String path, List<String> out, IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) return;
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) unknownFields(e, path + "[" + i++ + "]", out, seen);
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) return;
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getName().equals("getClass")) continue;
            try {
                Object v = getter.invoke(o);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        for (Object k : ((Map<Object, Object>) extra).keySet())
                            out.add("unknown field " + (path.isEmpty() ? "" : path + ".") + k);
                    }
                } else {
                    String name = getter.getName().substring(3);
                    unknownFields(
                            v,
                            path
                                    + (path.isEmpty() ? "" : ".")
                                    + Character.toLowerCase(name.charAt(0))
                                    + name.substring(1),
                            out,
                            seen);
                }
            } catch (java.lang.reflect.InvocationTargetException e) {
                // a computed getter (e.g. Quantity's numerical amount) that does not apply: not a field
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @ParameterizedTest(name = "{0} values")
    @ValueSource(strings = {"default", "minimal", "production", "clickhouse"})
    void everyRenderedManifestIsValidForItsSchema(String values) {
        List<Map<String, Object>> docs = render(values);
        Set<String> kinds = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> d : docs) {
            kinds.add((String) d.get("kind"));
            problems.addAll(problems(d));
        }
        assertThat(problems)
                .as("schema problems of the chart rendered with %s values", values)
                .isEmpty();
        assertThat(kinds).contains("FlinkDeployment", "ConfigMap");
        System.out.printf("manifests: %s values: %d documents valid (%s)%n", values, docs.size(), kinds);
    }

    @Test
    void productionValuesRenderTheObjectsTheyAskFor() {
        Set<String> kinds = new TreeSet<>();
        render("production").forEach(d -> kinds.add((String) d.get("kind")));
        assertThat(kinds)
                .contains(
                        "FlinkDeployment",
                        "Deployment",
                        "Service",
                        "HorizontalPodAutoscaler",
                        "ConfigMap",
                        "PodDisruptionBudget")
                .as("object-store state: no claim; an existing Secret: none created")
                .doesNotContain("PersistentVolumeClaim", "Secret");
        assertThat(render("minimal")).extracting(d -> (String) d.get("kind")).doesNotContain("Deployment", "Service");
    }

    private static Map<String, Object> first(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).findFirst().orElseThrow();
    }

    @Test
    void aFlinkVersionTheOperatorDoesNotKnowIsRefused() {
        Map<String, Object> fd = first(render("default", "job.flinkVersion", "v2_9"), "FlinkDeployment");
        assertThat(problems(fd))
                .anySatisfy(p -> assertThat(p).contains("flinkVersion").contains("enum"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void wrongTypesAndUnknownFieldsAreRefused() {
        List<Map<String, Object>> docs = render("production");
        // a string where the API wants an integer
        Map<String, Object> deployment = first(render("default"), "Deployment");
        ((Map<String, Object>) deployment.get("spec")).put("replicas", "two");
        assertThat(problems(deployment)).anySatisfy(p -> assertThat(p).contains("two"));

        // a misspelled container field
        Map<String, Object> d2 = first(render("default"), "Deployment");
        Map<String, Object> container = Repo.at(d2, "spec", "template", "spec", "containers", "0");
        container.put("imagePullPolicyy", "Always");
        assertThat(problems(d2))
                .anySatisfy(p -> assertThat(p).contains("unknown field").contains("imagePullPolicyy"));

        // a misspelled FlinkDeployment field, at the top of spec and deep in the job
        Map<String, Object> fd = first(docs, "FlinkDeployment");
        ((Map<String, Object>) fd.get("spec")).put("jobb", Map.of());
        ((Map<String, Object>) Repo.at(fd, "spec", "job")).put("parallelism", "eight");
        assertThat(problems(fd))
                .anySatisfy(p -> assertThat(p).contains("jobb"))
                .anySatisfy(p -> assertThat(p).contains("parallelism"));

        // a misspelled field in a pod template the operator turns into pods
        Map<String, Object> fd2 = first(render("default"), "FlinkDeployment");
        Map<String, Object> jmPod = Repo.at(fd2, "spec", "jobManager", "podTemplate", "spec");
        jmPod.put("initContainer", List.of());
        assertThat(problems(fd2))
                .anySatisfy(p -> assertThat(p).contains("unknown field").contains("initContainer"));

        // an HPA metric target with a wrong type
        Map<String, Object> hpa = first(docs, "HorizontalPodAutoscaler");
        ((Map<String, Object>) hpa.get("spec")).put("maxReplicas", "many");
        assertThat(problems(hpa)).isNotEmpty();
    }
}
