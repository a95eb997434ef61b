package io.rollcast.fanout;

import io.rollcast.fanout.auth.Tokens;
import io.rollcast.fanout.config.FanoutConfig;
import io.rollcast.model.Durations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** Mints a development token (HS256 JWT) for one tenant and its allowed window specs, and prints it. */
@CommandLine.Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Mint an HS256 token for the fan-out server. The key comes from --secret-file, or "
                + "ROLLCAST_FANOUT_AUTH_SECRET.")
public final class TokenCli implements Callable<Integer> {
    @CommandLine.Option(names = "--tenant", required = true, description = "Tenant id the token speaks for.")
    String tenant;

    @CommandLine.Option(
            names = "--specs",
            split = ",",
            defaultValue = "*",
            description = "Allowed spec ids, comma-separated; * for all (default).")
    List<String> specs;

    @CommandLine.Option(names = "--ttl", defaultValue = "12h", description = "Validity, e.g. 30m, 12h (default 12h).")
    String ttl;

    @CommandLine.Option(names = "--secret-file", description = "File holding the HS256 key.")
    Path secretFile;

    @Override
    public Integer call() throws Exception {
        String secret = secretFile != null
                ? Files.readString(secretFile, StandardCharsets.UTF_8).strip()
                : System.getenv(FanoutConfig.envName("auth.secret"));
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            System.err.println("error: no key of at least 32 bytes (use --secret-file or "
                    + FanoutConfig.envName("auth.secret") + ")");
            return 2;
        }
        Duration d = Durations.parse(ttl);
        System.out.println(Tokens.mint(secret, tenant, specs, d));
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TokenCli()).execute(args));
    }
}
