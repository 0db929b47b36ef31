package dev.tokenbroker.api.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import dev.tokenbroker.api.DemoLinking;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The audit console in a real browser (headless Debian Chromium): paste an audit:read token, search a
 * user, see the timeline with the hand-out per client, the state at an instant. Skipped, saying what to
 * install, where Chromium is missing.
 */
@BrokerApiTest
class AuditConsoleBrowserTest {

    @TempDir
    static Path userDataDir;
    static WebDriver browser;
    static String unavailable;

    @LocalServerPort
    int port;

    @BeforeAll
    static void startBrowser() {
        Optional<String> reason = DebianChromium.unavailableReason();
        if (reason.isPresent()) {
            unavailable = "Real-browser test skipped: " + reason.get();
            System.err.println(unavailable);
        } else {
            browser = DebianChromium.start(userDataDir);
        }
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theConsoleServesStaticFilesWithStrictHeaders() throws Exception {
        ApiClients api = new ApiClients(port);
        for (String path : new String[] {"/audit/", "/audit/console.js", "/audit/console.css"}) {
            HttpResponse<String> response = api.get(path, null);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Security-Policy").orElseThrow())
                    .contains("script-src 'self'").doesNotContain("unsafe-inline");
            assertThat(response.headers().firstValue("X-Frame-Options")).contains("DENY");
            assertThat(response.headers().firstValue("Referrer-Policy")).contains("no-referrer");
            assertThat(response.headers().firstValue("Cache-Control").orElseThrow()).contains("no-store");
        }
        assertThat(api.get("/audit/", null).body()).doesNotContain("<script>").doesNotContain("onclick");
    }

    @Test
    void anAuditorSearchesAUserAndSeesTheTimelineAndTheStateAtAnInstant() throws Exception {
        Assumptions.assumeTrue(browser != null, () -> unavailable);
        ApiClients api = new ApiClients(port);
        String app = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        String backend = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        String auditor = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        String user = "console-" + UUID.randomUUID().toString().substring(0, 8);
        new DemoLinking(api).link(app, user, user + "-upstream");
        String accessToken = api.json(await().atMost(Duration.ofSeconds(10)).until(
                () -> api.get("/v1/users/" + user + "/connections/demo/token", backend),
                r -> r.statusCode() == 200)).get("access_token").asText();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/v1/audit/users/" + user + "/connections/demo?at=" + Instant.now(), auditor).body()
                        .contains("test-backend"));

        browser.get(api.base() + "/audit/");
        browser.findElement(By.id("token")).sendKeys(auditor);
        browser.findElement(By.id("save-token")).click();
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("search")).click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(d -> d.findElement(By.id("timeline")).getText().contains("access-token-handed-out"));
        String timeline = browser.findElement(By.id("timeline")).getText();
        assertThat(timeline).contains("linked", "access-token-handed-out", "test-backend");
        assertThat(browser.findElement(By.id("connections")).getText()).contains("demo", "ACTIVE", "test-backend: 1");

        browser.findElement(By.id("state-at")).sendKeys(Instant.now().toString());
        browser.findElement(By.id("state")).click();
        wait.until(d -> d.findElement(By.id("state-table")).getText().contains("ACTIVE"));
        assertThat(browser.findElement(By.id("state-table")).getText()).contains(user + "-upstream", "test-backend");
        assertThat(browser.getPageSource()).doesNotContain(accessToken);

        // the token survives a reload in this tab, never in a cookie
        browser.navigate().refresh();
        assertThat(browser.findElement(By.id("token")).getAttribute("value")).isEqualTo(auditor);
        assertThat(browser.manage().getCookies()).isEmpty();
    }
}
