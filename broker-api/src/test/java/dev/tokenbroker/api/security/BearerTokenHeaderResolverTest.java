package dev.tokenbroker.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/** The fast resolver answers every request exactly as Spring's default resolver does: same token, same error. */
class BearerTokenHeaderResolverTest {

    private static final String JWT = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJkZW1vLWFwcCJ9.c2lnbmF0dXJl-_";

    @ParameterizedTest
    @ValueSource(strings = {"Bearer " + JWT, "bearer " + JWT, "BEARER " + JWT, "Bearer abc==", "Bearer a+/~._-9",
            "Bearer ", "Bearer", "Bearer  " + JWT, "Bearer " + JWT + " ", "Bearer =", "Bearer a=b", "Bearer a\u00e9",
            "Basic ZGVtbzpzZWNyZXQ=", "Bearertoken", "Bear " + JWT, "", "Bearer a,b"})
    void answersAsTheDefaultResolverForEveryAuthorizationHeader(String header) {
        sameAnswer(request -> request.addHeader("Authorization", header));
        sameAnswer(request -> {
            request.addHeader("Authorization", header);
            request.setQueryString("min_validity=60");
            request.addParameter("min_validity", "60");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST"})
    void refusesATokenInTheHeaderAndAParameterAsTheDefaultResolverDoes(String method) {
        sameAnswer(request -> {
            request.setMethod(method);
            request.addHeader("Authorization", "Bearer " + JWT);
            request.setQueryString("access_token=" + JWT);
            request.addParameter("access_token", JWT);
        });
        sameAnswer(request -> {
            request.setMethod(method);
            request.setContentType("application/x-www-form-urlencoded");
            request.addHeader("Authorization", "Bearer " + JWT);
            request.addParameter("access_token", JWT);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "DELETE"})
    void findsNoTokenWithoutAnAuthorizationHeader(String method) {
        sameAnswer(request -> request.setMethod(method));
        sameAnswer(request -> {
            request.setMethod(method);
            request.setQueryString("access_token=" + JWT);
            request.addParameter("access_token", JWT);
        });
    }

    private static void sameAnswer(Consumer<MockHttpServletRequest> setUp) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/v1/users/u/connections/demo/token");
        setUp.accept(request);
        Answer expected = answer(() -> new DefaultBearerTokenResolver().resolve(request));
        Answer actual = answer(() -> new BearerTokenHeaderResolver().resolve(request));
        assertThat(actual).isEqualTo(expected);
    }

    private record Answer(String token, String errorCode, String errorDescription) {
    }

    private interface Resolution {
        String resolve();
    }

    private static Answer answer(Resolution resolution) {
        Throwable failure = catchThrowable(() -> Objects.requireNonNullElse(resolution.resolve(), ""));
        if (failure == null) {
            return new Answer(resolution.resolve(), null, null);
        }
        assertThat(failure).isInstanceOf(OAuth2AuthenticationException.class);
        OAuth2AuthenticationException oauth = (OAuth2AuthenticationException) failure;
        return new Answer(null, oauth.getError().getErrorCode(), oauth.getError().getDescription());
    }
}
