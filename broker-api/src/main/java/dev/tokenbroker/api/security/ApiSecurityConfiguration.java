package dev.tokenbroker.api.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbroker.api.exchange.TokenExchangeEndpoint;
import dev.tokenbroker.api.issuer.ApiClientSecrets;
import dev.tokenbroker.api.issuer.ClientAuthenticationGuard;
import dev.tokenbroker.api.issuer.ClientSecretSetAuthenticationProvider;
import dev.tokenbroker.api.issuer.DefaultScopeClientCredentialsConverter;
import dev.tokenbroker.api.problem.ProblemType;
import dev.tokenbroker.api.problem.Problems;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Two filter chains: the broker's own OAuth 2.0 token endpoint (Spring Authorization Server:
 * client credentials, and token exchange for users' upstream tokens) and the API, a resource server that accepts only the broker's own
 * signed JWTs. Authentication and scope failures answer with problem+json.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication
class ApiSecurityConfiguration {

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServerChain(HttpSecurity http, RegisteredClientRepository clients,
                                                 ApiClientSecrets secrets, ClientAuthenticationGuard guard,
                                                 TokenExchangeEndpoint tokenExchange) throws Exception {
        OAuth2AuthorizationServerConfigurer authorizationServer = OAuth2AuthorizationServerConfigurer.authorizationServer();
        ClientSecretSetAuthenticationProvider secretSet = new ClientSecretSetAuthenticationProvider(clients, secrets, guard);
        http.securityMatcher(authorizationServer.getEndpointsMatcher())
                .with(authorizationServer, server -> server
                        .clientAuthentication(clientAuthentication ->
                                clientAuthentication.authenticationProviders(providers -> {
                                    providers.removeIf(ClientSecretAuthenticationProvider.class::isInstance);
                                    providers.add(0, secretSet);
                                }))
                        .tokenEndpoint(tokenEndpoint -> {
                            tokenEndpoint.accessTokenRequestConverters(
                                    converters -> converters.add(0, new DefaultScopeClientCredentialsConverter()));
                            tokenExchange.configure(tokenEndpoint);
                        }))
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.ignoringRequestMatchers(authorizationServer.getEndpointsMatcher()));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain apiChain(HttpSecurity http, ObjectMapper json) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info").permitAll()
                        .requestMatchers("/v1/connect/**", "/v1/oauth/callback", "/demo/linked").permitAll()
                        // the audit console's static page and script; its data comes from the API with a bearer token
                        .requestMatchers("/audit", "/audit/", "/audit/console.js", "/audit/console.css").permitAll()
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml").permitAll()
                        .requestMatchers("/error").permitAll()
                        // the event chain's checkpoint keys are public: auditors verify checkpoints with them
                        .requestMatchers(HttpMethod.GET, "/v1/audit/checkpoint-keys").permitAll()
                        .requestMatchers("/v1/admin/**", "/actuator/**").hasAuthority("SCOPE_admin")
                        .anyRequest().authenticated())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // Bearer tokens only, no cookies: nothing for CSRF to ride on.
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                // Nothing to log out of and no anonymous principal needed (an absent one is refused the same way):
                // two filters less on every request.
                .anonymous(anonymous -> anonymous.disable())
                .logout(logout -> logout.disable())
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint((request, response, failure) -> {
                            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
                            Problems.write(response, json, ProblemType.UNAUTHORIZED, "A valid API access token is required");
                        })
                        .accessDeniedHandler((request, response, denied) -> {
                            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\"");
                            Problems.write(response, json, ProblemType.INSUFFICIENT_SCOPE,
                                    "The access token lacks the scope for this operation");
                        }))
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .bearerTokenResolver(new BearerTokenHeaderResolver())
                        .jwt(jwt -> { })
                        .authenticationEntryPoint((request, response, failure) -> {
                            if (failure instanceof org.springframework.security.authentication.AuthenticationServiceException
                                    && dev.tokenbroker.api.problem.ApiExceptionHandler.databaseUnavailable(failure)) {
                                // The signing keys could not be read (database down): not the token's fault.
                                response.setHeader(HttpHeaders.RETRY_AFTER,
                                        Long.toString(dev.tokenbroker.api.problem.ApiExceptionHandler.DATABASE_RETRY_AFTER.toSeconds()));
                                Problems.write(response, json, ProblemType.SERVICE_UNAVAILABLE, "The database is unavailable; retry later");
                                return;
                            }
                            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
                            Problems.write(response, json, ProblemType.UNAUTHORIZED, "The access token is invalid or expired");
                        }));
        return http.build();
    }
}
