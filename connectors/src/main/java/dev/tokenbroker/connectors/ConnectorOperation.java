package dev.tokenbroker.connectors;

/** The connector operation that failed; part of every {@link ConnectorException}. */
public enum ConnectorOperation {
    DISCOVERY,
    AUTHORIZATION_RESPONSE,
    CODE_EXCHANGE,
    REFRESH,
    REVOCATION,
    ACCOUNT_LOOKUP
}
