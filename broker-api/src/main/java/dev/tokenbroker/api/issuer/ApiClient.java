package dev.tokenbroker.api.issuer;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A registered API client of the broker: what it may do (scopes), for which connectors, and
 * where connect flows started by it may send the user's browser back to.
 */
public record ApiClient(
        String clientId,
        String displayName,
        Set<ApiScope> scopes,
        Set<String> allowedConnectors,
        Set<URI> allowedReturnUrls,
        Instant createdAt,
        boolean disabled) {

    public ApiClient {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(displayName, "displayName");
        scopes = Set.copyOf(scopes);
        allowedConnectors = Set.copyOf(allowedConnectors);
        allowedReturnUrls = Set.copyOf(allowedReturnUrls);
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public boolean allowsConnector(String connectorId) {
        return allowedConnectors.contains(connectorId) || allowedConnectors.contains("*");
    }

    /**
     * Exact match on scheme, host, port and path of a registered URL; the query may differ.
     * Prefix or wildcard matching would reopen the open-redirect holes that exact matching
     * closes (see OAuth 2.0 Security BCP, RFC 9700 section 4.1.3).
     */
    public boolean allowsReturnTo(URI returnTo) {
        if (returnTo == null || !returnTo.isAbsolute() || returnTo.getRawFragment() != null
                || returnTo.getRawUserInfo() != null) {
            return false;
        }
        return allowedReturnUrls.stream().anyMatch(registered -> sameEndpoint(registered, returnTo));
    }

    /**
     * Whether a URL may be registered as a return URL: absolute https without fragment or user info;
     * plain http only for the loopback host (local development, RFC 8252 section 7.3).
     */
    public static boolean isRegistrableReturnUrl(URI url) {
        if (url == null || !url.isAbsolute() || url.getHost() == null || url.getRawFragment() != null
                || url.getRawUserInfo() != null) {
            return false;
        }
        boolean loopback = "localhost".equals(url.getHost()) || "127.0.0.1".equals(url.getHost())
                || "[::1]".equals(url.getHost());
        return "https".equals(url.getScheme()) || ("http".equals(url.getScheme()) && loopback);
    }

    private static boolean sameEndpoint(URI registered, URI candidate) {
        return registered.getScheme().equalsIgnoreCase(candidate.getScheme())
                && registered.getHost() != null && registered.getHost().equalsIgnoreCase(candidate.getHost())
                && registered.getPort() == candidate.getPort()
                && Objects.equals(emptyToSlash(registered.getRawPath()), emptyToSlash(candidate.getRawPath()));
    }

    private static String emptyToSlash(String path) {
        return path == null || path.isEmpty() ? "/" : path;
    }
}
