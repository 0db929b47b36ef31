package dev.tokenbroker.api;

import dev.tokenbroker.projections.chain.VerifyExportCommand;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The token broker: REST API, connect flow, the broker's own OAuth 2.0 issuer and the refresh scheduler. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TokenBrokerApplication {

    static {
        // Axon 4.12+ reports usage to AxonIQ's servers and polls them for updates unless told not to. A token
        // broker should not call out to third parties on its own (and runs offline in the quick start);
        // operators who want the update check can start with -Daxoniq.update-checker.disabled=false.
        if (System.getProperty("axoniq.update-checker.disabled") == null) {
            System.setProperty("axoniq.update-checker.disabled", "true");
        }
        if (System.getProperty("disable-axoniq-console-message") == null) {
            System.setProperty("disable-axoniq-console-message", "true");
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && "verify-export".equals(args[0])) {
            // the offline verifier of the event chain: files only, no database, no Spring context
            VerifyExportCommand.main(args);
            return;
        }
        if (args.length > 0 && RebuildCommand.NAME.equals(args[0])) {
            System.exit(RebuildCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out));
        }
        SpringApplication.run(TokenBrokerApplication.class, args);
    }
}
