package dev.tokenbroker.api.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenExchangePropertiesTest {

    private static TokenExchangeProperties.Issuer issuer(String url, String audience, List<String> algorithms) {
        return new TokenExchangeProperties.Issuer(url == null ? null : URI.create(url), null, audience, "sub", null,
                algorithms, null);
    }

    private static Map<String, TokenExchangeProperties.Issuer> validated(Map<String, TokenExchangeProperties.Issuer> issuers) {
        return new TokenExchangeProperties(Duration.ofSeconds(60), issuers).validatedIssuers(List.of());
    }

    @Test
    void aCompleteIssuerIsAcceptedWithAsymmetricDefaultAlgorithms() {
        var accepted = validated(Map.of("corp", issuer("https://login.example.com", "broker", null)));
        assertThat(accepted.get("corp").algorithms()).contains("RS256", "ES256").doesNotContain("HS256", "none");
    }

    @Test
    void startUpFailsNamingTheSettingAndTheFix() {
        assertThatThrownBy(() -> validated(Map.of("corp", issuer(null, "broker", null))))
                .hasMessageContaining("broker.token-exchange.issuers.corp.issuer is missing");
        assertThatThrownBy(() -> validated(Map.of("corp", issuer("http://login.example.com", "broker", null))))
                .hasMessageContaining("must be an absolute https URL");
        assertThatThrownBy(() -> validated(Map.of("corp", issuer("https://login.example.com", " ", null))))
                .hasMessageContaining("broker.token-exchange.issuers.corp.audience is missing");
        assertThatThrownBy(() -> validated(Map.of("corp", issuer("https://login.example.com", "broker", List.of("HS256")))))
                .hasMessageContaining(".algorithms contains 'HS256'");
        assertThatThrownBy(() -> validated(Map.of("corp", issuer("https://login.example.com", "broker", List.of("none")))))
                .hasMessageContaining(".algorithms contains 'none'");
        assertThatThrownBy(() -> validated(Map.of("a", issuer("https://login.example.com", "broker", null),
                "b", issuer("https://login.example.com", "broker", null))))
                .hasMessageContaining("configure each issuer once");
        assertThatThrownBy(() -> new TokenExchangeProperties(Duration.ofMinutes(10), Map.of()))
                .hasMessageContaining("broker.token-exchange.clock-skew");
        assertThatThrownBy(() -> validated(Map.of("corp", new TokenExchangeProperties.Issuer(
                URI.create("https://login.example.com"), null, "broker", "sub", null, null,
                new TokenExchangeProperties.Introspection(URI.create("https://login.example.com/introspect"), null, null)))))
                .hasMessageContaining("introspection.client-id and .client-secret are required");
    }

    @Test
    void introspectionCredentialsAreRedacted() {
        assertThat(new TokenExchangeProperties.Introspection(URI.create("https://x.example"), "broker", "s3cret").toString())
                .doesNotContain("s3cret");
    }
}
