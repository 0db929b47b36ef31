package dev.tokenbroker.api.exchange;

import java.util.Map;

/**
 * Trusted issuers the application itself adds to {@code broker.token-exchange.issuers} (e.g. the demo
 * mode's in-process IdP, whose port is known only at start-up). Explicit configuration wins on conflicts.
 */
@FunctionalInterface
public interface TrustedIssuerContribution {

    Map<String, TokenExchangeProperties.Issuer> issuers();
}
