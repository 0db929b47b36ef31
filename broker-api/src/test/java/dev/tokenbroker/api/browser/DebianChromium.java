package dev.tokenbroker.api.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium and ChromeDriver at fixed paths, started headless with the flags this
 * environment needs. Explicit paths on purpose: Selenium Manager would otherwise try to download
 * a browser and a driver, which a closed network refuses (slowly).
 */
final class DebianChromium {

    /** Overridable (-Dbroker.test.chromium=..., -Dbroker.test.chromedriver=...) for other layouts. */
    static final Path CHROMIUM = Paths.get(System.getProperty("broker.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Paths.get(System.getProperty("broker.test.chromedriver", "/usr/bin/chromedriver"));
    static final String HOW_TO_INSTALL = "Install Debian's Chromium and ChromeDriver (as root: "
            + "scripts/install-browser.sh, or apt-get install -y --no-install-recommends chromium chromium-driver)";

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    /**
     * Selenium warns at every start that it has no CDP bindings for this Chromium version; the test
     * uses WebDriver only, never CDP. Held strongly: java.util.logging keeps loggers weakly.
     */
    private static final List<Logger> QUIETED = Stream.of("org.openqa.selenium.devtools.CdpVersionFinder",
            "org.openqa.selenium.chromium.ChromiumDriver").map(Logger::getLogger).toList();

    private DebianChromium() {
    }

    /**
     * Whether the browser can run here, after one attempt at {@code scripts/install-browser.sh}
     * when it is missing.
     *
     * @return empty when available, else why not and what to install
     */
    static Optional<String> unavailableReason() {
        if (installed()) {
            return Optional.empty();
        }
        Optional<Path> script = installScript();
        if (script.isEmpty()) {
            return Optional.of(CHROMIUM + " or " + CHROMEDRIVER + " is missing and scripts/install-browser.sh "
                    + "was not found. " + HOW_TO_INSTALL + ".");
        }
        String outcome = runInstallScript(script.get());
        return installed() ? Optional.empty()
                : Optional.of(CHROMIUM + " or " + CHROMEDRIVER + " is missing and " + script.get() + " could not "
                        + "install them (" + outcome + "). " + HOW_TO_INSTALL + ".");
    }

    static ChromeDriver start(Path userDataDir) {
        QUIETED.forEach(logger -> logger.setLevel(Level.SEVERE));
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--user-data-dir=" + userDataDir.toAbsolutePath());
        return new ChromeDriver(service, options);
    }

    private static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** The script lives at the repository root; tests run from a module directory. */
    private static Optional<Path> installScript() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("scripts/install-browser.sh");
            if (Files.isRegularFile(script)) {
                return Optional.of(script);
            }
        }
        return Optional.empty();
    }

    private static String runInstallScript(Path script) {
        try {
            // Output read here, not inherited: the forked test JVM's own stdout is Surefire's channel.
            Process process = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            StringBuilder output = new StringBuilder();
            Thread reader = new Thread(() -> {
                try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    lines.lines().forEach(line -> {
                        System.out.println(line);
                        synchronized (output) {
                            output.setLength(0);
                            output.append(line);
                        }
                    });
                } catch (IOException ignored) {
                    // the process ended; its exit code says the rest
                }
            }, "install-browser-output");
            reader.start();
            if (!process.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "timed out after " + INSTALL_TIMEOUT;
            }
            reader.join(Duration.ofSeconds(5).toMillis());
            synchronized (output) {
                return "exit code " + process.exitValue() + (output.isEmpty() ? "" : ", last said: " + output);
            }
        } catch (IOException e) {
            return "could not run it: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
