package dev.tokenbroker.api.demo;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code broker.demo.*}: the offline demo for the README quick start — an in-process OIDC IdP
 * (NAV's mock-oauth2-server, on 127.0.0.1 only) registered as connector {@code demo}, and a demo
 * API client. On by default only with the embedded database; never meant for production.
 *
 * @param enabled          {@code true}/{@code false}; unset means "on with the embedded database"
 * @param idpPort          port of the demo IdP on 127.0.0.1 ({@code 0} picks a free one)
 * @param accessTokenTtl   lifetime of the demo IdP's access tokens (short, so refreshes are visible)
 * @param clientSecret     the demo API client's secret (client id {@code demo-app})
 */
@ConfigurationProperties("broker.demo")
public record DemoProperties(
        Boolean enabled,
        @DefaultValue("8090") int idpPort,
        @DefaultValue("6m") Duration accessTokenTtl,
        @DefaultValue("demo-secret-for-local-use-only") String clientSecret) {

    public static final String CLIENT_ID = "demo-app";
    public static final String CONNECTOR_ID = "demo";
    /** The trusted issuer id of the demo app's own login (token exchange). */
    public static final String APP_ISSUER_ID = "demo-app-login";
    /** The audience the demo app's user tokens must carry for the broker. */
    public static final String APP_AUDIENCE = "token-broker";

    @Override
    public String toString() {
        return "DemoProperties[enabled=" + enabled + ", idpPort=" + idpPort + ", accessTokenTtl=" + accessTokenTtl
                + ", clientSecret=<redacted>]";
    }
}
