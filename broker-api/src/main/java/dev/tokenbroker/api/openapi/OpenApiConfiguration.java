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

    @Bean
    OpenAPI tokenBrokerOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Token Broker API").version("v1")
                        .description("Links users' upstream accounts and hands fresh upstream access tokens to "
                                + "authorized backends. Errors are RFC 9457 problem+json with stable `type` URNs "
                                + "(urn:token-broker:problem:<code>).")
                        .license(new License().name("Apache-2.0")))
                .components(new Components().addSecuritySchemes("broker", new SecurityScheme()
                        .type(SecurityScheme.Type.OAUTH2)
                        .description("The broker's own OAuth 2.0 client credentials (client_secret_basic or client_secret_post)")
                        .flows(new OAuthFlows().clientCredentials(new OAuthFlow()
                                .tokenUrl("/oauth2/token")
                                .scopes(new Scopes()
                                        .addString("connections:write", "create connect sessions, list and unlink connections")
                                        .addString("tokens:read", "fetch users' upstream access tokens")
                                        .addString("audit:read", "read the event history")
                                        .addString("admin", "manage API clients and keys, erase users"))))))
                .addSecurityItem(new SecurityRequirement().addList("broker"));
    }
}
