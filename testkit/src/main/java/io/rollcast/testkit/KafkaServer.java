package io.rollcast.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A real single-node KRaft Kafka broker on 127.0.0.1, injected by {@link RealServers}. */
public final class KafkaServer {

    private final ServerProcess process;

    KafkaServer(ServerProcess process) {
        this.process = process;
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + process.port(0);
    }

    /** Properties with only {@code bootstrap.servers}, for an {@link Admin} or any client. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return p;
    }

    /** Producer properties with String key/value serializers and {@code acks=all}. */
    public Properties producerProperties() {
        Properties p = clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Ordered retries without idempotence: on a fresh partition whose leader was not serving yet an
        // idempotent producer was seen in CI to answer NOT_LEADER_OR_FOLLOWER with OUT_OF_ORDER_SEQUENCE_NUMBER
        // for two minutes, until the delivery timeout dropped the batches, and tests that do not check
        // their send futures lost events silently. One request in flight keeps the partition's order.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        return p;
    }

    /** Consumer properties with String deserializers, reading from the earliest offset, no auto commit. */
    public Properties consumerProperties(String groupId) {
        Properties p = clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    /** Creates a topic (replication factor 1) and waits until the broker has created it. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic (replication factor 1) with topic configs and waits until every partition has a
     * leader: right after creation a broker can answer NOT_LEADER_OR_FOLLOWER, and an idempotent
     * producer writing then was seen to drop records (OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery
     * timeout).
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!everyPartitionHasALeader(admin, name)) {
                if (System.nanoTime() > deadline)
                    throw new TimeoutException("no leader for every partition of " + name);
                Thread.sleep(100);
            }
            // the metadata can name a leader before that broker serves the partition: a ListOffsets request
            // is answered by the leader itself (the admin client retries NOT_LEADER_OR_FOLLOWER until it is)
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < partitions; i++) latest.put(new TopicPartition(name, i), OffsetSpec.latest());
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + name + " on " + bootstrapServers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    /** False while the topic's metadata has not reached the broker's cache (UnknownTopicOrPartition) or a partition has no leader. */
    private static boolean everyPartitionHasALeader(Admin admin, String name)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            return admin
                    .describeTopics(List.of(name))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(name)
                    .partitions()
                    .stream()
                    .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) return false;
            throw e;
        }
    }

    /** Creates a topic with a unique name starting with {@code prefix} and one partition; returns its name. */
    public String freshTopic(String prefix) {
        return freshTopic(prefix, 1);
    }

    /** Creates a topic with a unique name starting with {@code prefix}; returns its name. */
    public String freshTopic(String prefix, int partitions) {
        String name = ServerProcess.freshName(prefix);
        createTopic(name, partitions);
        return name;
    }

    @Override
    public String toString() {
        return "KafkaServer[" + bootstrapServers() + "]";
    }
}
