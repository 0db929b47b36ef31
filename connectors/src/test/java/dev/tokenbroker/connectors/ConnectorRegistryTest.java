package dev.tokenbroker.connectors;

import dev.tokenbroker.connectors.github.GitHubConnectorFactory;
import dev.tokenbroker.connectors.google.GoogleConnectorFactory;
import dev.tokenbroker.connectors.oauth2.OAuth2ConnectorFactory;
import dev.tokenbroker.connectors.oidc.OidcConnectorFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectorRegistryTest {

    private static final String SECRET = "s3cr3t-client-secret-value";

    private final List<ConnectorFactory> shipped = List.of(new OAuth2ConnectorFactory(), new OidcConnectorFactory(),
            new GitHubConnectorFactory(), new GoogleConnectorFactory());

    @Test
    void buildsEveryShippedTypeAndPresetFromFlatProperties() {
        Map<String, String> properties = new HashMap<>();
        properties.putAll(connector("github", "type", "github"));
        properties.putAll(connector("google", "type", "google"));
        properties.putAll(connector("corp", "type", "oidc", "issuer", "https://login.corp.example"));
        properties.putAll(connector("legacy", "type", "oauth2", "authorization-uri", "https://legacy.example/authorize",
                "token-uri", "https://legacy.example/token", "client-authentication", "post", "scope-separator", "comma",
                "authorization-parameters.audience", "api"));
        properties.putAll(connector("gitlab", "preset", "gitlab"));
        properties.putAll(connector("entra", "preset", "entra-id", "tenant", "6f1c1a4e-0000-4000-8000-000000000001"));
        properties.put("spring.unrelated", "ignored");

        ConnectorRegistry registry = ConnectorRegistry.fromProperties(properties, shipped);

        assertThat(registry.ids()).containsExactly("corp", "entra", "github", "gitlab", "google", "legacy");
        assertThat(registry.get("github").id()).isEqualTo("github");
    }

    @Test
    void presetFillsIssuerFromItsTenantSetting() {
        RecordingFactory oidc = new RecordingFactory("oidc");
        ConnectorRegistry.fromProperties(connector("entra", "preset", "entra-id", "tenant", "contoso-tenant-id",
                "read-timeout", "2s", "scopes[0]", "openid", "scopes[1]", "offline_access"), List.of(oidc));

        ConnectorSettings settings = oidc.created.get(0);
        assertThat(settings.property("issuer")).contains("https://login.microsoftonline.com/contoso-tenant-id/v2.0");
        assertThat(settings.scopes().orElseThrow().toStringList()).containsExactly("openid", "offline_access");
        assertThat(settings.timeouts().read()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.timeouts().connect()).isEqualTo(ConnectorTimeouts.DEFAULT_CONNECT);
        assertThat(settings.toString()).doesNotContain(SECRET);
    }

    @Test
    void missingClientIdNamesTheSettingAndTheFix() {
        Map<String, String> properties = connector("github", "type", "github");
        properties.remove("broker.connectors.github.client-id");

        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(properties, shipped))
                .isInstanceOf(InvalidConnectorConfigurationException.class)
                .hasMessageStartingWith("broker.connectors.github.client-id is missing: set it to the client id")
                .hasMessageContaining("GitHub");
    }

    @Test
    void missingTypeListsTheTypesAndPresets() {
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("acme"), shipped))
                .hasMessageStartingWith("broker.connectors.acme.type is missing: set it to one of [github, google, oauth2, oidc]")
                .hasMessageContaining("entra-id, gitlab");
    }

    @Test
    void unknownTypeSaysToRegisterTheFactory() {
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("acme", "type", "acme"), shipped))
                .hasMessageContaining("broker.connectors.acme.type is 'acme', which is not a registered connector type")
                .hasMessageContaining("register the connector's factory");
    }

    @Test
    void misspelledSettingIsRejectedInsteadOfIgnored() {
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("corp", "type", "oidc", "isuer", "https://login.corp.example"), shipped))
                .hasMessageStartingWith("broker.connectors.corp.isuer is not a setting of connector type 'oidc'")
                .hasMessageContaining("issuer");
    }

    @Test
    void missingRequiredTypeSettingNamesIt() {
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("corp", "type", "oidc"), shipped))
                .hasMessageStartingWith("broker.connectors.corp.issuer is missing: set it: The issuer identifier");
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("entra", "preset", "entra-id"), shipped))
                .hasMessageStartingWith("broker.connectors.entra.tenant is missing");
    }

    @Test
    void malformedValuesNameTheSettingAndNeverEchoTheSecret() {
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("corp", "type", "oidc", "issuer", "not a url"), shipped))
                .hasMessageStartingWith("broker.connectors.corp.issuer is 'not a url'").hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("corp", "type", "oidc", "issuer", "https://x.example", "read-timeout", "2h"), shipped))
                .hasMessageStartingWith("broker.connectors.corp.read-timeout is 2h, out of range").hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("corp", "type", "oidc", "issuer", "https://x.example", "connect-timeout", "soon"), shipped))
                .hasMessageStartingWith("broker.connectors.corp.connect-timeout is 'soon', not a duration");
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("legacy", "type", "oauth2", "authorization-uri", "https://l.example/a",
                "token-uri", "https://l.example/t", "client-authentication", "jwt"), shipped))
                .hasMessageStartingWith("broker.connectors.legacy.client-authentication is 'jwt': set it to basic or post");
        assertThatThrownBy(() -> ConnectorRegistry.fromProperties(connector("google", "type", "google", "offline-access", "yes"), shipped))
                .hasMessageStartingWith("broker.connectors.google.offline-access is 'yes': set it to true or false");
    }

    @Test
    void durationsAcceptSpringAndIsoForms() {
        assertThat(ConnectorRegistry.duration("x", "read-timeout", "500ms", null)).isEqualTo(Duration.ofMillis(500));
        assertThat(ConnectorRegistry.duration("x", "read-timeout", "750", null)).isEqualTo(Duration.ofMillis(750));
        assertThat(ConnectorRegistry.duration("x", "read-timeout", "3s", null)).isEqualTo(Duration.ofSeconds(3));
        assertThat(ConnectorRegistry.duration("x", "read-timeout", "1m", null)).isEqualTo(Duration.ofMinutes(1));
        assertThat(ConnectorRegistry.duration("x", "read-timeout", "PT5S", null)).isEqualTo(Duration.ofSeconds(5));
    }

    static Map<String, String> connector(String id, String... keyValues) {
        Map<String, String> properties = new HashMap<>();
        properties.put("broker.connectors." + id + ".client-id", "client-" + id);
        properties.put("broker.connectors." + id + ".client-secret", SECRET);
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put("broker.connectors." + id + "." + keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    /** A factory of an application-provided type: records what the registry hands it. */
    static final class RecordingFactory implements ConnectorFactory {
        private final String type;
        final List<ConnectorSettings> created = new ArrayList<>();

        RecordingFactory(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public String displayName() {
            return "Recording";
        }

        @Override
        public List<ConfigurationProperty> configurationProperties() {
            return List.of(ConfigurationProperty.required("issuer", "issuer"));
        }

        @Override
        public Connector create(ConnectorSettings settings) {
            created.add(settings);
            return new OidcConnectorFactory().create(settings);
        }
    }
}
