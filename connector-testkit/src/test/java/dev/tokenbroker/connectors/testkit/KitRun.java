package dev.tokenbroker.connectors.testkit;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.Set;

/** Runs kit subclasses through the JUnit Platform launcher and reports what failed, as a connector author would see it. */
public record KitRun(Set<String> passed, Map<String, Throwable> failed, Set<String> skipped) {

    public static KitRun of(Class<?>... kitClasses) {
        KitRun run = new KitRun(new TreeSet<>(), new TreeMap<>(), new TreeSet<>());
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (Class<?> kitClass : kitClasses) {
            request.selectors(DiscoverySelectors.selectClass(kitClass));
        }
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request.build(), new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (!test.isTest()) {
                    result.getThrowable().ifPresent(t -> run.failed().put("<container " + test.getDisplayName() + ">", t));
                    return;
                }
                String name = test.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                        .map(source -> source.getClassName().substring(source.getClassName().lastIndexOf('$') + 1) + "." + source.getMethodName())
                        .orElse(test.getDisplayName());
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    run.passed().add(name);
                } else if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                    run.skipped().add(name);
                } else {
                    run.failed().put(name, result.getThrowable().orElse(null));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                run.skipped().add(test.getDisplayName());
            }
        });
        return run;
    }

    /** Names of failed checks without the class prefix. */
    public Set<String> failedChecks() {
        Set<String> checks = new TreeSet<>();
        failed.keySet().forEach(name -> checks.add(name.substring(name.indexOf('.') + 1)));
        return checks;
    }
}
