package dev.tokenbroker.api.exchange;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Validates an RFC 8693 subject token and tells which broker user it speaks for. Signed JWTs are
 * checked by the {@link TrustedIssuer} their {@code iss} names (the claim only selects the issuer;
 * everything is then verified against that issuer's keys and settings). Opaque access tokens go to
 * RFC 7662 introspection at the issuers configured for it. Unsigned JWTs ({@code alg=none}) and
 * encrypted ones are rejected.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc8693#section-2.1">RFC 8693 section 2.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7662#section-2">RFC 7662 section 2</a>
 */
public final class SubjectTokenValidator {

    public static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    private static final int HTTP_TIMEOUT_MS = 2_000;

    private final Map<String, TrustedIssuer> byIssuer;
    private final List<TrustedIssuer> introspecting;
    private final Duration clockSkew;
    private final Clock clock;

    SubjectTokenValidator(List<TrustedIssuer> issuers, Duration clockSkew, Clock clock) {
        this.byIssuer = issuers.stream().collect(Collectors.toUnmodifiableMap(TrustedIssuer::issuer, Function.identity()));
        this.introspecting = issuers.stream()
                .filter(issuer -> issuer.settings().introspection() != null
                        && issuer.settings().introspection().endpoint() != null)
                .sorted(java.util.Comparator.comparing(TrustedIssuer::id))
                .toList();
        this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether any issuer is trusted at all (without one, every exchange fails). */
    public boolean hasIssuers() {
        return !byIssuer.isEmpty();
    }

    /**
     * @param tokenType {@link #JWT_TYPE} or {@link #ACCESS_TOKEN_TYPE}
     * @throws InvalidSubjectTokenException when the token is not acceptable
     * @throws KeySourceException            when an issuer's keys or introspection endpoint cannot be reached
     */
    public ValidatedSubject validate(String token, String tokenType) throws KeySourceException {
        JWT jwt = parseJwt(token);
        if (jwt == null) {
            if (!ACCESS_TOKEN_TYPE.equals(tokenType)) {
                throw new InvalidSubjectTokenException("subject_token is not a JWT");
            }
            return introspect(token);
        }
        if (jwt instanceof PlainJWT) {
            throw new InvalidSubjectTokenException("subject_token is unsigned (alg=none)");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new InvalidSubjectTokenException("subject_token is an encrypted JWT; send a signed one");
        }
        String issuer;
        try {
            issuer = signed.getJWTClaimsSet().getIssuer();
        } catch (java.text.ParseException e) {
            throw new InvalidSubjectTokenException("subject_token's claims are not valid JSON");
        }
        TrustedIssuer trusted = issuer == null ? null : byIssuer.get(issuer);
        if (trusted == null) {
            throw new InvalidSubjectTokenException("subject_token is not from a trusted issuer");
        }
        return trusted.validate(signed);
    }

    private static JWT parseJwt(String token) {
        if (token.chars().filter(c -> c == '.').count() < 2) {
            return null;
        }
        try {
            return JWTParser.parse(token);
        } catch (java.text.ParseException e) {
            throw new InvalidSubjectTokenException("subject_token looks like a JWT but does not parse");
        }
    }

    private ValidatedSubject introspect(String token) throws KeySourceException {
        if (introspecting.isEmpty()) {
            throw new InvalidSubjectTokenException("subject_token is not a JWT and no trusted issuer is configured "
                    + "for introspection");
        }
        for (TrustedIssuer issuer : introspecting) {
            TokenIntrospectionSuccessResponse answer = introspect(issuer, token);
            if (answer != null && answer.isActive()) {
                return accept(issuer, answer);
            }
        }
        throw new InvalidSubjectTokenException("subject_token is not active");
    }

    private static TokenIntrospectionSuccessResponse introspect(TrustedIssuer issuer, String token)
            throws KeySourceException {
        TokenExchangeProperties.Introspection settings = issuer.settings().introspection();
        HTTPRequest request = new TokenIntrospectionRequest(settings.endpoint(),
                new ClientSecretBasic(new ClientID(settings.clientId()), new Secret(settings.clientSecret())),
                new TypelessAccessToken(token)).toHTTPRequest();
        request.setConnectTimeout(HTTP_TIMEOUT_MS);
        request.setReadTimeout(HTTP_TIMEOUT_MS);
        try {
            TokenIntrospectionResponse response = TokenIntrospectionResponse.parse(request.send());
            if (!response.indicatesSuccess()) {
                throw new KeySourceException("introspection at trusted issuer '" + issuer.id() + "' answered "
                        + response.toErrorResponse().getErrorObject().getCode());
            }
            return response.toSuccessResponse();
        } catch (IOException | ParseException e) {
            throw new KeySourceException("introspection at trusted issuer '" + issuer.id() + "' failed", e);
        }
    }

    private ValidatedSubject accept(TrustedIssuer issuer, TokenIntrospectionSuccessResponse answer) {
        Instant now = clock.instant();
        if (answer.getIssuer() != null && !issuer.issuer().equals(answer.getIssuer().getValue())) {
            throw new InvalidSubjectTokenException("subject_token's introspected issuer does not match");
        }
        if (answer.getExpirationTime() == null || answer.getExpirationTime().toInstant().plus(clockSkew).isBefore(now)) {
            throw new InvalidSubjectTokenException("subject_token is expired or has no expiry");
        }
        if (answer.getNotBeforeTime() != null && answer.getNotBeforeTime().toInstant().minus(clockSkew).isAfter(now)) {
            throw new InvalidSubjectTokenException("subject_token is not yet valid");
        }
        List<Audience> audience = answer.getAudience();
        if (audience != null && !audience.isEmpty()
                && audience.stream().noneMatch(a -> a.getValue().equals(issuer.settings().audience()))) {
            throw new InvalidSubjectTokenException("subject_token's audience does not include the broker");
        }
        String claim = issuer.settings().userIdClaim();
        String value = "sub".equals(claim) && answer.getSubject() != null ? answer.getSubject().getValue()
                : answer.getStringParameter(claim);
        return issuer.subject(value, answer.getJWTID() == null ? null : answer.getJWTID().getValue());
    }
}
