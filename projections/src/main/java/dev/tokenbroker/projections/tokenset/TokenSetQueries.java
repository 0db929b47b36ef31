package dev.tokenbroker.projections.tokenset;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.crypto.TokenCipher;
import dev.tokenbroker.core.crypto.TokenMaterialErasedException;

/**
 * The query side of token sets, answered from {@code token_set_view}: the current access token for the
 * API and a user's linked accounts.
 *
 * <p>Reads see every command that has completed, on any instance: the view's write-through
 * ({@link TokenSetViewWriteThrough}) updates the row in the transaction that appends the event. Only while
 * a rebuild replays the view can a row be behind (or missing) until the replay reaches it:
 * <ul>
 *   <li>a missing row is folded from the event store instead ({@link TokenSetViewFromEvents}), for the access
 *       token and for the full row, so neither answers "not linked" for a linked token set;
 *   <li>a row behind can show a token the aggregate has since revoked or erased: the token API records the
 *       hand-out through the aggregate before it answers, and the aggregate refuses it;
 *   <li>{@link #tokenSetsOfUser(String, Collection)} lists the view's rows and folds the token sets of the
 *       given connectors the view has no row for, so a listing does not leave out a linked token set either.
 * </ul>
 * The only plaintext that leaves this class is the access token of {@link CurrentAccessToken.Available};
 * refresh tokens stay sealed.
 */
public final class TokenSetQueries {

    private final TokenSetViewRepository repository;
    private final TokenCipher cipher;
    private final TokenSetViewFromEvents onMiss;

    /** @param onMiss answers for a token set the view has no row for (see {@link TokenSetViewFromEvents}) */
    public TokenSetQueries(TokenSetViewRepository repository, TokenCipher cipher, TokenSetViewFromEvents onMiss) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.onMiss = Objects.requireNonNull(onMiss, "onMiss");
    }

    /**
     * The current access token of the user at the connector, decrypted, or why there is none.
     *
     * @throws dev.tokenbroker.core.crypto.TokenDecryptionException when the stored ciphertext does not
     *         authenticate (tampering or a lost data key): a fault, not an expected outcome
     */
    public CurrentAccessToken currentAccessToken(String userId, String connectorId) {
        TokenSetId tokenSetId = TokenSetId.of(userId, connectorId);
        // Only the columns an answer needs: this runs on every token fetch.
        Optional<AccessTokenRow> found = repository.findAccessToken(tokenSetId);
        if (found.isEmpty()) {
            found = onMiss.find(tokenSetId).map(AccessTokenRow::of);
        }
        if (found.isEmpty()) {
            return new CurrentAccessToken.NotLinked(userId, connectorId);
        }
        AccessTokenRow row = found.get();
        if (row.status() == TokenSetStatus.ERASED || row.accessToken() == null) {
            return new CurrentAccessToken.Erased(tokenSetId, row.erasedAt());
        }
        if (row.status() == TokenSetStatus.REVOKED) {
            return new CurrentAccessToken.Revoked(tokenSetId, row.revokedAt());
        }
        if (row.status() == TokenSetStatus.REAUTHORIZATION_REQUIRED) {
            return new CurrentAccessToken.NeedsReauthorization(tokenSetId, row.reauthorizationReason());
        }
        try {
            return new CurrentAccessToken.Available(tokenSetId, cipher.open(tokenSetId, row.accessToken()),
                    row.accessTokenExpiresAt(), row.grantedScopes(), row.status(), row.tokenVersion());
        } catch (TokenMaterialErasedException e) {
            // The erase is in the event store but this read model has not applied it yet.
            return new CurrentAccessToken.Erased(tokenSetId, null);
        }
    }

    /**
     * The user's token sets, metadata only, ordered by connector id: the view's rows, and for each of
     * {@code connectorIds} the view has no row for, the token set as its events make it, if it has any (none
     * named: the view's rows alone). Each such connector costs one event-store lookup (an index read when the
     * user never linked there); a listing is not the token fetch's hot path.
     */
    public List<TokenSetSummary> tokenSetsOfUser(String userId, Collection<String> connectorIds) {
        Map<String, TokenSetSummary> byConnector = new TreeMap<>();
        for (TokenSetView row : repository.findByUser(userId)) {
            byConnector.put(row.connectorId(), row.summary());
        }
        for (String connectorId : connectorIds) {
            if (!byConnector.containsKey(connectorId)) {
                onMiss.find(TokenSetId.of(userId, connectorId))
                        .ifPresent(folded -> byConnector.put(connectorId, folded.summary()));
            }
        }
        return List.copyOf(byConnector.values());
    }

    /**
     * The full row, including the sealed refresh token: for revocation and erasure, not for API answers. A row
     * the view does not have yet comes from the event store, so a delete never skips a linked token set.
     */
    public Optional<TokenSetView> tokenSet(TokenSetId tokenSetId) {
        Optional<TokenSetView> found = repository.find(tokenSetId);
        return found.isPresent() ? found : onMiss.find(tokenSetId);
    }
}
