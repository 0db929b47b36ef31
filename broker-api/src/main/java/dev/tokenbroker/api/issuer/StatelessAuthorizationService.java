package dev.tokenbroker.api.issuer;

import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * Keeps no record of issued API access tokens. They are self-contained signed JWTs, validated by
 * signature and expiry alone, so storing them would only create a table (or heap) of live bearer
 * tokens to steal. Spring Authorization Server's default in-memory service would keep every
 * issued token in clear for its whole life. Introspection and revocation of API tokens are
 * therefore not offered: tokens are short-lived (minutes) and removing a client or secret stops
 * new ones.
 */
public final class StatelessAuthorizationService implements OAuth2AuthorizationService {

    @Override
    public void save(OAuth2Authorization authorization) {
        // Deliberately nothing: see the class comment.
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        // Nothing was stored.
    }

    @Override
    public OAuth2Authorization findById(String id) {
        return null;
    }

    @Override
    public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
        return null;
    }
}
