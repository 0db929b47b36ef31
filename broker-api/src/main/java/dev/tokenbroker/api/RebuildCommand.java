package dev.tokenbroker.api;

import dev.tokenbroker.projections.ReadModelRebuild;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Consumer;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar token-broker.jar rebuild}: for operators who stop the service to rebuild the read models.
 * Starts the application without its web server and without the refresh scheduler, replays every read
 * model from the first event with a progress bar on stdout, and exits 0 once caught up (1 on failure).
 */
final class RebuildCommand {

    static final String NAME = "rebuild";

    private RebuildCommand() {
    }

    static int run(String[] args, PrintStream out) {
        return run(args, out, context -> {
        });
    }

    /** The command, with a look at the context once the rebuild caught up (for tests). */
    static int run(String[] args, PrintStream out, Consumer<ConfigurableApplicationContext> caughtUp) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(TokenBrokerApplication.class)
                .web(WebApplicationType.NONE)
                .properties("broker.refresh.scheduler-enabled=false", "spring.main.banner-mode=off")
                .run(args)) {
            ReadModelRebuild rebuild = context.getBean(ReadModelRebuild.class);
            rebuild.rebuildAll();
            ReadModelRebuild.Progress progress;
            do {
                Thread.sleep(500);
                progress = rebuild.progress();
                out.print("\r" + bar(progress));
                out.flush();
            } while (progress.running());
            out.println();
            out.println("Read models rebuilt: " + progress.total() + " events.");
            caughtUp.accept(context);
            return 0;
        } catch (Exception e) {
            out.println();
            out.println("Rebuild failed: " + e.getMessage());
            return 1;
        }
    }

    static String bar(ReadModelRebuild.Progress progress) {
        int width = 40;
        int filled = (int) Math.round(progress.fraction() * width);
        Duration left = progress.remaining();
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] "
                + String.format("%3d%%", Math.round(progress.fraction() * 100)) + " " + progress.processed() + "/"
                + progress.total() + " events, " + Math.round(progress.eventsPerSecond()) + " events/s"
                + (left == null ? "" : ", ~" + left.toSeconds() + " s left") + "   ";
    }
}
