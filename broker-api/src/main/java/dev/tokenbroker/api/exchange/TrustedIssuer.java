package dev.tokenbroker.api.exchange;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.core.api.ExchangedSubjectToken;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One issuer of end-user tokens the broker trusts: verifies a signed JWT against the issuer's JWK set
 * (cached, refreshed ahead of expiry, re-fetched at most every 30 s for an unknown key id), its
 * {@code iss}, {@code aud}, {@code exp} and {@code nbf} (with the configured skew), its {@code typ}
 * ({@code JWT}, {@code at+jwt} or none) and its algorithm (an allow-list of asymmetric ones), and maps
 * the configured claim to the broker's user id.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7519#section-7.2">RFC 7519 section 7.2</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8725#section-3.1">RFC 8725 section 3.1 (algorithm verification)</a>
 */
final class TrustedIssuer {

    private static final int HTTP_TIMEOUT_MS = 2_000;

    private final String id;
    private final TokenExchangeProperties.Issuer settings;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    TrustedIssuer(String id, TokenExchangeProperties.Issuer settings, long clockSkewSeconds, Clock clock) {
        this.id = Objects.requireNonNull(id, "id");
        this.settings = Objects.requireNonNull(settings, "settings");
        Set<JWSAlgorithm> algorithms = settings.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, jwkSource()));
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), null));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(Set.of(settings.audience()),
                new JWTClaimsSet.Builder().issuer(issuer()).build(),
                Set.of("iss", "aud", "exp", settings.userIdClaim()), null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) clockSkewSeconds);
        processor.setJWTClaimsSetVerifier(claims);
    }

    String id() {
        return id;
    }

    String issuer() {
        return settings.issuer().toString();
    }

    TokenExchangeProperties.Issuer settings() {
        return settings;
    }

    /**
     * @throws InvalidSubjectTokenException when the token fails a check
     * @throws KeySourceException            when the issuer's keys cannot be fetched (not the token's fault)
     */
    ValidatedSubject validate(SignedJWT jwt) throws KeySourceException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (KeySourceException e) {
            throw e;
        } catch (BadJOSEException e) {
            throw new InvalidSubjectTokenException("subject_token rejected: " + e.getMessage());
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new InvalidSubjectTokenException("subject_token signature could not be verified");
        }
        Object value = claims.getClaim(settings.userIdClaim());
        return subject(value instanceof String string ? string : null, claims.getJWTID());
    }

    /** The user the claim value names, or the token is rejected. */
    ValidatedSubject subject(String claimValue, String tokenId) {
        if (claimValue == null || claimValue.isBlank()) {
            throw new InvalidSubjectTokenException("subject_token has no string claim '" + settings.userIdClaim() + "'");
        }
        String userId = settings.userIdPrefix() + claimValue;
        if (!userId.matches(IdentifierPatterns.USER_ID)) {
            throw new InvalidSubjectTokenException("subject_token's claim '" + settings.userIdClaim()
                    + "' is not a valid broker user id");
        }
        return new ValidatedSubject(userId, new ExchangedSubjectToken(id, issuer(), claimValue, tokenId));
    }

    private JWKSource<SecurityContext> jwkSource() {
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS, 512 * 1024);
        if (settings.jwksUri() != null) {
            return cached(url(settings.jwksUri().toString()), retriever);
        }
        // Discovery on first use, not at start-up: the broker starts while the IdP is unreachable.
        return new JWKSource<>() {
            private volatile JWKSource<SecurityContext> discovered;

            @Override
            public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
                JWKSource<SecurityContext> source = discovered;
                if (source == null) {
                    synchronized (this) {
                        if (discovered == null) {
                            discovered = cached(discoverJwksUri(), retriever);
                        }
                        source = discovered;
                    }
                }
                return source.get(selector, context);
            }
        };
    }

    private URL discoverJwksUri() throws KeySourceException {
        try {
            OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(new Issuer(issuer()), HTTP_TIMEOUT_MS,
                    HTTP_TIMEOUT_MS);
            return metadata.getJWKSetURI().toURL();
        } catch (GeneralException | IOException e) {
            throw new KeySourceException("OpenID Connect discovery failed for trusted issuer '" + id + "': "
                    + e.getMessage(), e);
        }
    }

    private static JWKSource<SecurityContext> cached(URL url, DefaultResourceRetriever retriever) {
        return JWKSourceBuilder.<SecurityContext>create(url, retriever)
                .cache(TimeUnit.MINUTES.toMillis(15), TimeUnit.SECONDS.toMillis(15))
                .refreshAheadCache(TimeUnit.SECONDS.toMillis(60), true)
                .rateLimited(TimeUnit.SECONDS.toMillis(30))
                .retrying(true)
                .outageTolerant(TimeUnit.HOURS.toMillis(1))
                .build();
    }

    private static URL url(String value) {
        try {
            return new URL(value);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(value, e);
        }
    }
}
