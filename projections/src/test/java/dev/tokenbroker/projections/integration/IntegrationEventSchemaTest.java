package dev.tokenbroker.projections.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericTrackedDomainEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.tokenbroker.core.api.AccessTokenHandedOut;
import dev.tokenbroker.core.api.Actor;
import dev.tokenbroker.core.api.ReauthorizationRequired;
import dev.tokenbroker.core.api.RefreshFailureKind;
import dev.tokenbroker.core.api.SealedToken;
import dev.tokenbroker.core.api.TokenPurpose;
import dev.tokenbroker.core.api.TokenRefreshFailed;
import dev.tokenbroker.core.api.TokenSetErased;
import dev.tokenbroker.core.api.TokenSetId;
import dev.tokenbroker.core.api.TokenSetLinked;
import dev.tokenbroker.core.api.TokenSetRefreshed;
import dev.tokenbroker.core.api.TokenSetRevoked;
import dev.tokenbroker.core.api.TokenSetStatus;
import dev.tokenbroker.core.api.UpstreamRevocationOutcome;

public class IntegrationEventSchemaTest {

    static final JsonSchema SCHEMA = loadSchema();

    static JsonSchema loadSchema() {
        try (InputStream in = IntegrationEvent.class.getClassLoader().getResourceAsStream(IntegrationEvent.SCHEMA_RESOURCE)) {
            assertThat(in).as("schema on the classpath").isNotNull();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The schema's violations of this JSON, with formats (uuid, date-time) asserted. */
    public static Set<ValidationMessage> violations(byte[] json) throws Exception {
        JsonNode node = new ObjectMapper().readTree(json);
        return SCHEMA.validate(node, context -> context.getExecutionConfig().setFormatAssertionsEnabled(true));
    }

    private static final TokenSetId ID = TokenSetId.of("alice", "github");
    private static final byte[] CIPHERTEXT = "ciphertext-bytes-that-must-not-leak".getBytes(StandardCharsets.UTF_8);
    private static final Instant T = Instant.parse("2025-01-01T10:00:00Z");

    static SealedToken sealed(TokenPurpose purpose) {
        return new SealedToken(CIPHERTEXT, 1, purpose);
    }

    /** One stored event of every type, as the aggregate records them. */
    static List<Object> everyEventType() {
        return List.of(
                new TokenSetLinked(ID, "alice", "github", sealed(TokenPurpose.ACCESS), sealed(TokenPurpose.REFRESH),
                        sealed(TokenPurpose.ID), T.plusSeconds(3600), null, Set.of("repo", "read:user"), "gh-42",
                        "Alice", 1, 1, 1, false, Actor.user("alice", "cs-secret-session"), "connect"),
                new TokenSetRefreshed(ID, sealed(TokenPurpose.ACCESS), null, null, T.plusSeconds(7200), null,
                        Set.of("repo"), 2, 1, 1, Actor.scheduler(), "scheduled refresh"),
                new TokenRefreshFailed(ID, RefreshFailureKind.TRANSIENT, "503", "try later", T.plusSeconds(60), 1, 1,
                        Actor.scheduler(), "scheduled refresh"),
                new TokenRefreshFailed(ID, RefreshFailureKind.PERMANENT, "invalid_grant", null, null, 2, 1,
                        Actor.scheduler(), "scheduled refresh"),
                new ReauthorizationRequired(ID, "invalid_grant", Actor.scheduler(), "refresh failed permanently"),
                new AccessTokenHandedOut(ID, "backend-1", 2, Actor.apiClient("backend-1"), "fetch"),
                new TokenSetRevoked(ID, UpstreamRevocationOutcome.REVOKED, "HTTP 200", Actor.user("alice", null),
                        "user disconnected"),
                new TokenSetErased(ID, 1, 1, Actor.admin("admin-1"), "GDPR erasure"));
    }

    static List<DomainEventMessage<?>> messages() {
        List<DomainEventMessage<?>> messages = new ArrayList<>();
        List<Object> events = everyEventType();
        for (int i = 0; i < events.size(); i++) {
            GenericDomainEventMessage<Object> message = new GenericDomainEventMessage<>("TokenSet", ID.toString(), i,
                    events.get(i), Map.of(), UUID.randomUUID().toString(), T.plusSeconds(i));
            messages.add(new GenericTrackedDomainEventMessage<>(new GlobalSequenceTrackingToken(100 + i), message));
        }
        return messages;
    }

    @Test
    void everyEventTypeMapsToARecordTheSchemaAccepts() throws Exception {
        TokenSetStatus status = null;
        List<String> types = new ArrayList<>();
        for (DomainEventMessage<?> message : messages()) {
            IntegrationEvent event = IntegrationEvents.from(message).completedWith("alice", "github", status);
            status = event.status();
            types.add(event.type());
            byte[] json = IntegrationEventJson.write(event);
            assertThat(violations(json)).as(new String(json, StandardCharsets.UTF_8)).isEmpty();
            assertThat(IntegrationEventJson.read(json)).isEqualTo(event);
            assertThat(event.eventId()).isEqualTo(message.getIdentifier());
            assertThat(event.sequenceNumber()).isEqualTo(message.getSequenceNumber());
            assertThat(event.globalPosition()).isEqualTo(100 + message.getSequenceNumber());
            assertThat(event.subject()).isEqualTo("users/alice/connections/github");
        }
        assertThat(types).containsAll(IntegrationEvents.TYPES);
    }

    @Test
    void statusFollowsTheAggregate() {
        List<TokenSetStatus> statuses = new ArrayList<>();
        TokenSetStatus status = null;
        for (DomainEventMessage<?> message : messages()) {
            status = IntegrationEvents.from(message).completedWith("alice", "github", status).status();
            statuses.add(status);
        }
        assertThat(statuses).containsExactly(TokenSetStatus.ACTIVE, TokenSetStatus.ACTIVE,
                TokenSetStatus.REFRESH_FAILING, TokenSetStatus.REFRESH_FAILING,
                TokenSetStatus.REAUTHORIZATION_REQUIRED, TokenSetStatus.REAUTHORIZATION_REQUIRED,
                TokenSetStatus.REVOKED, TokenSetStatus.ERASED);
    }

    @Test
    void noTokenMaterialAndNoConnectSessionInTheJson() {
        String base64 = Base64.getEncoder().encodeToString(CIPHERTEXT);
        for (DomainEventMessage<?> message : messages()) {
            String json = new String(IntegrationEventJson.write(
                    IntegrationEvents.from(message).completedWith("alice", "github", TokenSetStatus.ACTIVE)),
                    StandardCharsets.UTF_8);
            assertThat(json).doesNotContain("ciphertext", base64, "cs-secret-session", "keyVersion\"");
        }
    }

    @Test
    void theSchemaRejectsTokenFieldsAndIncompleteRecords() throws Exception {
        byte[] linked = IntegrationEventJson.write(IntegrationEvents.from(messages().get(0)));
        String json = new String(linked, StandardCharsets.UTF_8);
        assertThat(violations(json.replace("{\"eventId\"", "{\"accessToken\":\"x\",\"eventId\"")
                .getBytes(StandardCharsets.UTF_8))).isNotEmpty();
        // a refresh without its owner is not publishable
        assertThat(violations(IntegrationEventJson.write(IntegrationEvents.from(messages().get(1))))).isNotEmpty();
    }

    @Test
    void otherPayloadsAreRefused() {
        DomainEventMessage<?> other = new GenericDomainEventMessage<>("TokenSet", ID.toString(), 0, "not an event");
        assertThat(IntegrationEvents.isTokenSetEvent(other)).isFalse();
        assertThatThrownBy(() -> IntegrationEvents.from(other)).isInstanceOf(IllegalArgumentException.class);
    }
}
