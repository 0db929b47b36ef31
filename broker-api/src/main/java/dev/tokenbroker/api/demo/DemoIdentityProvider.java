package dev.tokenbroker.api.demo;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Objects;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;

/**
 * The demo IdP: NAV's mock-oauth2-server, a real OIDC server (discovery, JWKS, authorization code
 * with PKCE, refresh-token rotation, revocation) with a login form that accepts any user name.
 * Bound to 127.0.0.1: it signs in anyone, so it must not be reachable from elsewhere.
 */
public final class DemoIdentityProvider implements AutoCloseable {

    static final String ISSUER_ID = "demo";
    /** The demo app's own login (the users' tokens a backend exchanges), on the same server. */
    public static final String APP_ISSUER_ID = "app";

    private final MockOAuth2Server server;

    public DemoIdentityProvider(DemoProperties properties) {
        Objects.requireNonNull(properties, "properties");
        String config = """
                {"interactiveLogin": true, "rotateRefreshToken": true,
                 "tokenCallbacks": [{"issuerId": "demo", "tokenExpiry": %d, "requestMappings": []}]}
                """.formatted(properties.accessTokenTtl().toSeconds());
        server = new MockOAuth2Server(OAuth2Config.Companion.fromJson(config));
        try {
            server.start(InetAddress.getByName("127.0.0.1"), properties.idpPort());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI issuer() {
        return URI.create(server.issuerUrl(ISSUER_ID).toString());
    }

    /** Issuer of the demo app's user tokens, trusted for token exchange in demo mode. */
    public URI appIssuer() {
        return URI.create(server.issuerUrl(APP_ISSUER_ID).toString());
    }

    /** The underlying server, for tests and tools that script the demo IdP (e.g. a short-lived token). */
    public MockOAuth2Server server() {
        return server;
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
