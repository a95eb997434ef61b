package io.rollcast.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A real Flink session cluster (JobManager and TaskManager as separate JVMs, RocksDB) injected by
 * {@link RealServers}, with the REST calls tests need: submit a jar, savepoint, stop, and kill or
 * start the TaskManager. Each JVM serves its metrics in the Prometheus text format (the reporter
 * plugin that {@code bin/lib/flink.sh} configures) on its own port.
 */
public final class FlinkCluster {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ServerProcess process;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkCluster(ServerProcess process) {
        this.process = process;
    }

    /** {@code http://127.0.0.1:<rest port>}. */
    public URI restUrl() {
        return URI.create("http://127.0.0.1:" + process.port(0));
    }

    /** {@code http://127.0.0.1:<port>/metrics}: the JobManager's Prometheus reporter. */
    public URI jobManagerMetricsUrl() {
        return URI.create("http://127.0.0.1:" + process.port(5) + "/metrics");
    }

    /** {@code http://127.0.0.1:<port>/metrics}: the TaskManager's Prometheus reporter (the same port after a restart). */
    public URI taskManagerMetricsUrl() {
        return URI.create("http://127.0.0.1:" + process.port(6) + "/metrics");
    }

    /** The directory savepoints go to by default (execution.checkpointing.savepoint-dir). */
    public Path savepointDir() {
        return process.dir().resolve("data/savepoints");
    }

    /** Kills the TaskManager with SIGKILL, as a crash would. */
    public void killTaskManager() {
        process.command("kill-tm");
    }

    /** Stops the TaskManager with SIGTERM (it deregisters its slots) and waits until it has exited. */
    public void stopTaskManager() {
        process.command("stop-tm");
    }

    /** Starts a new TaskManager and waits until it has registered. */
    public void startTaskManager() {
        process.command("start-tm");
    }

    /** Uploads {@code jar} and runs it; returns the job id. {@code savepoint} may be null. */
    public String submit(Path jar, List<String> args, int parallelism, String savepoint)
            throws IOException, InterruptedException {
        String boundary = "----rollcast" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest upload = HttpRequest.newBuilder(restUrl().resolve("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
        JsonNode uploaded = call(upload);
        String jarId = Path.of(uploaded.get("filename").asText()).getFileName().toString();
        ObjectNode body = JSON.createObjectNode();
        body.putPOJO("programArgsList", args);
        body.put("parallelism", parallelism);
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
            body.put("allowNonRestoredState", false);
        }
        return call(post("/jars/" + jarId + "/run", body)).get("jobid").asText();
    }

    /** The job's state, e.g. RUNNING, FINISHED, FAILED. */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return rest("/jobs/" + jobId).get("state").asText();
    }

    /** Waits until the job and all its tasks are RUNNING. */
    public void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = rest("/jobs/" + jobId);
            boolean running = job.get("state").asText().equals("RUNNING");
            for (JsonNode v : job.get("vertices")) {
                running &= v.get("status").asText().equals("RUNNING");
            }
            if (running) {
                return;
            }
            if (List.of("FAILED", "CANCELED", "FINISHED")
                    .contains(job.get("state").asText())) {
                throw new IllegalStateException(
                        "job " + jobId + " is " + job.get("state").asText());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " not running after " + timeout);
    }

    /** Waits for a terminal state and returns it. */
    public String awaitTerminal(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String state = jobState(jobId);
            if (List.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                return state;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " not finished after " + timeout);
    }

    /** Stop-with-savepoint (no drain); returns the savepoint path once the job is FINISHED. */
    public String stopWithSavepoint(String jobId) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", savepointDir().toUri().toString());
        body.put("drain", false);
        String request =
                call(post("/jobs/" + jobId + "/stop", body)).get("request-id").asText();
        for (int i = 0; i < 600; i++) {
            JsonNode s = rest("/jobs/" + jobId + "/savepoints/" + request);
            if (s.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode op = s.get("operation");
                if (op.has("failure-cause")) {
                    throw new IllegalStateException("savepoint failed: " + op.get("failure-cause"));
                }
                awaitTerminal(jobId, Duration.ofSeconds(60));
                return op.get("location").asText();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("stop-with-savepoint of " + jobId + " did not complete");
    }

    /** Number of completed checkpoints of the job. */
    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return rest("/jobs/" + jobId + "/checkpoints")
                .path("counts")
                .path("completed")
                .asLong();
    }

    /** How many times the job was restored from a checkpoint or savepoint. */
    public long restoredCount(String jobId) throws IOException, InterruptedException {
        JsonNode job = rest("/jobs/" + jobId + "/checkpoints");
        return job.path("counts").path("restored").asLong();
    }

    /**
     * The TaskManager's {@code io.tmp.dirs} (RocksDB keeps each operator's working directory there,
     * {@code job_<job id>_op_...}).
     */
    public Path tmpDir() {
        return process.dir().resolve("data/tmp");
    }

    /** The checkpoint directory ({@code execution.checkpointing.dir}; one subdirectory per job id). */
    public Path checkpointDir() {
        return process.dir().resolve("data/checkpoints");
    }

    /** Directory of the JobManager and TaskManager logs (deleted with the cluster when the JVM exits). */
    public Path logDir() {
        return process.dir().resolve("logs");
    }

    /** Process id of the running TaskManager (for profilers), from its pid file. */
    public long taskManagerPid() throws IOException {
        return Long.parseLong(java.nio.file.Files.readAllLines(process.dir().resolve("taskmanager.pid"))
                .get(0)
                .trim());
    }

    /** GET {@code path} of the REST API (e.g. {@code /jobs/<id>}) as JSON. */
    public JsonNode rest(String path) throws IOException, InterruptedException {
        return call(HttpRequest.newBuilder(restUrl().resolve(path)).GET().build());
    }

    public void cancel(String jobId) throws IOException, InterruptedException {
        http.send(
                HttpRequest.newBuilder(restUrl().resolve("/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private HttpRequest post(String path, JsonNode body) throws IOException {
        return HttpRequest.newBuilder(restUrl().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
    }

    private JsonNode call(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException(request.method() + " " + request.uri() + " -> " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    @Override
    public String toString() {
        return "FlinkCluster[" + restUrl() + "]";
    }
}
