package dev.tokenbroker.api.audit;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.ProblemType;
import dev.tokenbroker.api.security.CallingClient;
import dev.tokenbroker.projections.chain.ChainLinkJson;
import dev.tokenbroker.projections.chain.ChainVerification;
import dev.tokenbroker.projections.chain.CheckpointJson;
import dev.tokenbroker.projections.chain.CheckpointRepository;
import dev.tokenbroker.projections.chain.CheckpointSigner;
import dev.tokenbroker.projections.chain.CheckpointSigningKeys;
import dev.tokenbroker.projections.chain.CheckpointVerifier;
import dev.tokenbroker.projections.chain.EventChainVerifier;

/**
 * The tamper-evident history over HTTP: verification, the chain's export (NDJSON, no ciphertext), the
 * stored checkpoints, the checkpoint keys (public) and their rotation (see {@code docs/tamper-evidence.md}).
 */
@RestController
final class EventChainController {

    static final String NDJSON = "application/x-ndjson";
    static final String JWK_SET = "application/jwk-set+json";

    private final EventChainVerifier verifier;
    private final CheckpointSigningKeys keys;
    private final CheckpointRepository checkpoints;
    private final CheckpointSigner signer;
    private final CallingClient callingClient;

    EventChainController(EventChainVerifier verifier, CheckpointSigningKeys keys, CheckpointRepository checkpoints,
                         CheckpointSigner signer, CallingClient callingClient) {
        this.verifier = verifier;
        this.keys = keys;
        this.checkpoints = checkpoints;
        this.signer = signer;
        this.callingClient = callingClient;
    }

    /** Recomputes the chain over {@code [from, to]} (global positions) against the stored digests and the checkpoints. */
    @GetMapping(path = "/v1/audit/verify", produces = MediaType.APPLICATION_JSON_VALUE)
    ChainVerification verify(@RequestParam(required = false) Long from, @RequestParam(required = false) Long to,
                             Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        checkRange(from, to);
        return verifier.verify(from, to);
    }

    /** The chain as NDJSON, one line per chained event, from right after the checkpoint before {@code from}. */
    @GetMapping(path = "/v1/audit/chain/export", produces = NDJSON)
    ResponseEntity<StreamingResponseBody> export(@RequestParam(required = false) Long from,
                                                 @RequestParam(required = false) Long to, Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        checkRange(from, to);
        StreamingResponseBody body = stream -> {
            OutputStream out = new BufferedOutputStream(stream, 64 * 1024);
            verifier.export(from, to, link -> {
                try {
                    ChainLinkJson.writeLine(link, out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            out.flush();
        };
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(NDJSON)).body(body);
    }

    /** The stored checkpoints as NDJSON (the same lines as the file sink's). */
    @GetMapping(path = "/v1/audit/checkpoints", produces = NDJSON)
    ResponseEntity<String> checkpoints(Authentication authentication) {
        callingClient.require(authentication, ApiScope.AUDIT_READ);
        StringBuilder lines = new StringBuilder();
        for (String jws : checkpoints.jwsAfter(-1)) {
            lines.append(CheckpointJson.toLine(CheckpointVerifier.claimsOf(jws))).append('\n');
        }
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(NDJSON)).body(lines.toString());
    }

    /** The checkpoint keys, current and retired, as a JWK Set: public, no authentication. */
    @GetMapping(path = "/v1/audit/checkpoint-keys", produces = {JWK_SET, MediaType.APPLICATION_JSON_VALUE})
    ResponseEntity<byte[]> checkpointKeys() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(JWK_SET))
                .body(keys.jwks().getBytes(StandardCharsets.UTF_8));
    }

    /** A new checkpoint signing key; the old ones stay in the JWKS. Signs the head under it right away. */
    @PostMapping(path = "/v1/admin/audit/checkpoint-keys/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> rotate(Authentication authentication) {
        callingClient.require(authentication, ApiScope.ADMIN);
        String kid = keys.rotate();
        return Map.of("kid", kid, "signedThroughChainIndex", signer.signNow());
    }

    private static void checkRange(Long from, Long to) {
        if ((from != null && from < 0) || (to != null && to < 0) || (from != null && to != null && from > to)) {
            throw new ApiProblemException(ProblemType.INVALID_REQUEST, "from and to are global positions with 0 <= from <= to");
        }
    }

}
