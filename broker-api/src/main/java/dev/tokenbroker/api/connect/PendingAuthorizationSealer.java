package dev.tokenbroker.api.connect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.Aead;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.tokenbroker.connectors.PendingAuthorization;
import dev.tokenbroker.core.crypto.KekRing;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.Optional;

/**
 * Seals what the callback needs to finish an authorization (state, PKCE code verifier, nonce)
 * with the KEK, bound to the connect session id, so a database reader cannot complete someone
 * else's code exchange and a sealed value cannot be replayed into another session. Sealed with the
 * primary KEK of the {@link KekRing}; opens with any KEK the ring still has enabled.
 */
public final class PendingAuthorizationSealer {

    private final Aead keyEncryptionKey;
    private final ObjectMapper json = new ObjectMapper();

    public PendingAuthorizationSealer(KekRing keks) {
        this.keyEncryptionKey = Objects.requireNonNull(keks, "keks").aead();
    }

    public byte[] seal(String sessionId, PendingAuthorization pending) {
        ObjectNode node = json.createObjectNode();
        node.put("state", pending.state().getValue());
        pending.codeVerifier().ifPresent(verifier -> node.put("codeVerifier", verifier.getValue()));
        pending.nonce().ifPresent(nonce -> node.put("nonce", nonce.getValue()));
        node.put("redirectUri", pending.redirectUri().toString());
        node.put("scope", pending.requestedScope().toString());
        try {
            return keyEncryptionKey.encrypt(json.writeValueAsBytes(node), associatedData(sessionId));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Could not seal the pending authorization of a connect session", e);
        }
    }

    public PendingAuthorization open(String sessionId, byte[] sealed) {
        try {
            var node = json.readTree(keyEncryptionKey.decrypt(sealed, associatedData(sessionId)));
            return new PendingAuthorization(
                    new State(node.get("state").asText()),
                    Optional.ofNullable(node.get("codeVerifier")).map(value -> new CodeVerifier(value.asText())),
                    Optional.ofNullable(node.get("nonce")).map(value -> new Nonce(value.asText())),
                    URI.create(node.get("redirectUri").asText()),
                    Optional.ofNullable(Scope.parse(node.get("scope").asText())).orElseGet(Scope::new));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("The pending authorization of connect session " + sessionId
                    + " does not open with the key-encryption key");
        }
    }

    private static byte[] associatedData(String sessionId) {
        return ("token-broker/connect-session/" + sessionId).getBytes(StandardCharsets.UTF_8);
    }
}
