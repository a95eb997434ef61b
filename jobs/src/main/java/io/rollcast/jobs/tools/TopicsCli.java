package io.rollcast.jobs.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Creates the job's Kafka topics when they do not exist yet. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Creates Kafka topics that do not exist yet.")
public final class TopicsCli implements Callable<Integer> {
    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:19092")
    String bootstrap;

    @Option(names = "--partitions", defaultValue = "4")
    int partitions;

    @Parameters(arity = "1..*", paramLabel = "TOPIC")
    List<String> topics;

    @Override
    public Integer call() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> create = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) create.add(new NewTopic(t, partitions, (short) 1));
            }
            if (!create.isEmpty()) admin.createTopics(create).all().get();
            System.out.printf(
                    "topics: %d created (%s), %d existed%n",
                    create.size(), create.stream().map(NewTopic::name).toList(), topics.size() - create.size());
        }
        return 0;
    }
}
