package dev.tokenbroker.api.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The connect flow's pages in a real browser (headless Debian Chromium through Selenium): the
 * demo app's connect URL, the demo IdP's login form, the broker's callback, the demo app's return
 * page; then the backend fetches the linked account's token. Skipped, saying what to install,
 * where Chromium is missing and cannot be installed.
 */
@BrokerApiTest
class ConnectFlowBrowserTest {

    private static final String DEMO_CLIENT = "demo-app";
    private static final String DEMO_SECRET = "demo-secret-for-local-use-only";
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    static Path userDataDir;
    static WebDriver browser;
    static String unavailable;

    @LocalServerPort
    int port;

    ApiClients api;
    String demoAppToken;

    @BeforeAll
    static void startBrowser() {
        // Checked here, skipped per test: an aborted @BeforeAll makes Surefire report "Tests run: 0"
        // with no reason, while a test-level assumption is reported as skipped with its message.
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

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(browser != null, () -> unavailable);
        api = new ApiClients(port);
        demoAppToken = api.accessToken(DEMO_CLIENT, DEMO_SECRET);
    }

    @Test
    void signingInAtTheIdpLinksTheAccountAndTheConnectUrlThenWorksOnlyOnce() throws Exception {
        String userId = "browser-" + UUID.randomUUID();
        String returnTo = "http://localhost:" + port + "/demo/linked";
        String connectUrl = createConnectSession(userId, returnTo);

        browser.get(connectUrl);
        WebElement username = waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.name("username")));
        assertThat(browser.getCurrentUrl()).as("the demo IdP's login page").contains("/demo/authorize");
        username.sendKeys("browser-upstream-user");
        browser.findElement(By.cssSelector("form [type=submit]")).click();

        waitFor().until(ExpectedConditions.urlContains("/demo/linked"));
        assertThat(browser.getCurrentUrl()).startsWith(returnTo + "?").contains("status=linked").contains("connector=demo");
        assertThat(statusHeading()).isEqualTo("Linked");

        // The token read model is updated asynchronously from the linked event.
        HttpResponse<String> token = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.get("/v1/users/" + userId + "/connections/demo/token", demoAppToken),
                        response -> response.statusCode() == 200);
        JsonNode body = api.json(token);
        assertThat(body.get("access_token").asText()).isNotBlank();
        assertThat(body.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.headers().firstValue("Cache-Control")).hasValue("no-store");

        // The same connect URL again: single use, the browser is sent back with an error.
        browser.get(connectUrl);
        waitFor().until(ExpectedConditions.urlContains("/demo/linked"));
        assertThat(browser.getCurrentUrl()).startsWith(returnTo + "?").contains("status=error")
                .contains("error=session_used");
        assertThat(statusHeading()).isEqualTo("Not linked");
    }

    private String createConnectSession(String userId, String returnTo) throws Exception {
        HttpResponse<String> created = api.send("POST", "/v1/connect-sessions", demoAppToken, "application/json",
                "{\"userId\":\"" + userId + "\",\"connector\":\"demo\",\"returnTo\":\"" + returnTo + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return api.json(created).get("connectUrl").asText();
    }

    private String statusHeading() {
        return waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("status"))).getText();
    }

    private static WebDriverWait waitFor() {
        return new WebDriverWait(browser, PAGE_TIMEOUT);
    }
}
