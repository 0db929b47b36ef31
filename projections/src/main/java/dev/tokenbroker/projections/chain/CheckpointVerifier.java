package dev.tokenbroker.projections.chain;

import java.text.ParseException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * Checks a checkpoint's signature against a JWK Set and reads its claims. Plain JOSE (Nimbus), not
 * Tink: what the offline verifier does is what any JOSE library can do with the published JWKS.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7515">RFC 7515 (JSON Web Signature)</a>
 */
public final class CheckpointVerifier {

    private final JWKSet keys;

    public CheckpointVerifier(JWKSet keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    public static CheckpointVerifier fromJwks(String json) {
        try {
            return new CheckpointVerifier(JWKSet.parse(json));
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWK Set: " + e.getMessage(), e);
        }
    }

    /** The checkpoint, if its ES256 signature verifies under a key of the set with its {@code kid}. */
    public Checkpoint verify(String jws) throws InvalidCheckpointException {
        JWSObject object;
        try {
            object = JWSObject.parse(jws);
        } catch (ParseException e) {
            throw new InvalidCheckpointException("not a compact JWS");
        }
        if (!JWSAlgorithm.ES256.equals(object.getHeader().getAlgorithm())
                || !new JOSEObjectType(Checkpoint.TYPE).equals(object.getHeader().getType())) {
            throw new InvalidCheckpointException("not an ES256 checkpoint");
        }
        JWK key = object.getHeader().getKeyID() == null ? null : keys.getKeyByKeyId(object.getHeader().getKeyID());
        if (!(key instanceof ECKey ec)) {
            throw new InvalidCheckpointException("signed by an unknown key " + object.getHeader().getKeyID());
        }
        try {
            if (!object.verify(new ECDSAVerifier(ec))) {
                throw new InvalidCheckpointException("bad signature");
            }
        } catch (JOSEException e) {
            throw new InvalidCheckpointException("bad signature");
        }
        return unverified(jws);
    }

    /** The claims of a checkpoint, without checking its signature: for display only, never for a verdict. */
    public static Checkpoint claimsOf(String jws) {
        return unverified(jws);
    }

    static Checkpoint unverified(String jws) {
        try {
            JWSObject object = JWSObject.parse(jws);
            Map<String, Object> claims = object.getPayload().toJSONObject();
            return new Checkpoint(number(claims, "chain_index"), number(claims, "position"),
                    ChainLink.decode((String) claims.get("head")),
                    Instant.ofEpochSecond(number(claims, "iat")), object.getHeader().getKeyID(), jws);
        } catch (ParseException | RuntimeException e) {
            throw new IllegalArgumentException("not a checkpoint", e);
        }
    }

    private static long number(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException("claim " + name + " missing");
        }
        return number.longValue();
    }

    /** A checkpoint whose signature or form does not check out. */
    public static final class InvalidCheckpointException extends Exception {
        public InvalidCheckpointException(String message) {
            super(message);
        }
    }
}
