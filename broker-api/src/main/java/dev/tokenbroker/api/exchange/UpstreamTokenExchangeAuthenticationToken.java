package dev.tokenbroker.api.exchange;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * A token-exchange request for a user's upstream access token, as read from the token endpoint
 * (not yet checked beyond its syntax). The subject token is a credential: not in {@code toString()}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8693#section-2.1">RFC 8693 section 2.1</a>
 */
public final class UpstreamTokenExchangeAuthenticationToken extends AbstractAuthenticationToken {

    private final Authentication clientPrincipal;
    private final String subjectToken;
    private final String subjectTokenType;
    private final List<String> targets;
    private final Duration minValidity;

    /**
     * @param targets     every {@code resource} and {@code audience} value (RFC 8707), distinct, in order
     * @param minValidity how long the upstream token must stay valid at least
     */
    public UpstreamTokenExchangeAuthenticationToken(Authentication clientPrincipal, String subjectToken,
                                                    String subjectTokenType, List<String> targets,
                                                    Duration minValidity) {
        super(List.of());
        this.clientPrincipal = Objects.requireNonNull(clientPrincipal, "clientPrincipal");
        this.subjectToken = Objects.requireNonNull(subjectToken, "subjectToken");
        this.subjectTokenType = Objects.requireNonNull(subjectTokenType, "subjectTokenType");
        this.targets = List.copyOf(targets);
        this.minValidity = Objects.requireNonNull(minValidity, "minValidity");
    }

    @Override
    public Object getPrincipal() {
        return clientPrincipal;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    public String subjectToken() {
        return subjectToken;
    }

    public String subjectTokenType() {
        return subjectTokenType;
    }

    public List<String> targets() {
        return targets;
    }

    public Duration minValidity() {
        return minValidity;
    }

    @Override
    public String toString() {
        return "UpstreamTokenExchangeAuthenticationToken[client=" + clientPrincipal.getName() + ", subjectToken=<redacted>, "
                + "subjectTokenType=" + subjectTokenType + ", targets=" + targets + ", minValidity=" + minValidity + "]";
    }
}
