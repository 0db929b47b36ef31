package dev.tokenbroker.api.openapi;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.OAuthFlow;
import io.swagger.v3.oas.models.security.OAuthFlows;
import io.swagger.v3.oas.models.security.Scopes;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI description served at {@code /v3/api-docs}; the repository keeps a copy in docs/openapi.yaml. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    /** The token-exchange grant is not a path of its own (it is POST /oauth2/token), so it is described here. */
    static final String TOKEN_EXCHANGE = """
            ## Token exchange (RFC 8693): a user's upstream token for the user's own token

            `POST /oauth2/token` (application/x-www-form-urlencoded), client authenticated with
            `client_secret_basic` or `client_secret_post`, scope `tokens:exchange`:

            - `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`
            - `subject_token`: the end user's token from a trusted issuer (`broker.token-exchange.issuers.*`)
            - `subject_token_type`: `urn:ietf:params:oauth:token-type:jwt` or `urn:ietf:params:oauth:token-type:access_token`
            - `resource` (RFC 8707) or `audience`: exactly one connector, `urn:token-broker:connector:<id>`
            - `requested_token_type` (optional): only `urn:ietf:params:oauth:token-type:access_token`
            - `min_validity` (optional): seconds the token must stay valid (default 60)

            `200` (`Cache-Control: no-store`): `{"access_token", "issued_token_type", "token_type", "expires_in", "scope"}`
            — the upstream access token of the user the subject token names, never another user's.
            Errors are RFC 6749 section 5.2 JSON: `invalid_request`, `invalid_client` (401), `unauthorized_client`
            (no `tokens:exchange`), `invalid_target` (not exactly one connector the client may use; with
            `"connect_session_required": true` when the user must link first: create a connect session,
            `POST /v1/connect-sessions`), `invalid_grant` (the subject token is not acceptable),
            `temporarily_unavailable` (503, `Retry-After`).
            """;

    @Bean
    OpenAPI tokenBrokerOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Token Broker API").version("v1")
                        .description("Links users' upstream accounts and hands fresh upstream access tokens to "
                                + "authorized backends. Errors are RFC 9457 problem+json with stable `type` URNs "
                                + "(urn:token-broker:problem:<code>).\n\n" + TOKEN_EXCHANGE)
                        .license(new License().name("Apache-2.0")))
                .components(new Components().addSecuritySchemes("broker", new SecurityScheme()
                        .type(SecurityScheme.Type.OAUTH2)
                        .description("The broker's own OAuth 2.0 client credentials (client_secret_basic or client_secret_post)")
                        .flows(new OAuthFlows().clientCredentials(new OAuthFlow()
                                .tokenUrl("/oauth2/token")
                                .scopes(new Scopes()
                                        .addString("connections:write", "create connect sessions, list and unlink connections")
                                        .addString("tokens:read", "fetch users' upstream access tokens")
                                        .addString("tokens:exchange", "exchange a user's token for that user's "
                                                + "upstream access token (token exchange at /oauth2/token)")
                                        .addString("audit:read", "read the event history")
                                        .addString("admin", "manage API clients and keys, erase users"))))))
                .addSecurityItem(new SecurityRequirement().addList("broker"));
    }
}
