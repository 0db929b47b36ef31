package dev.tokenbroker.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;

/** Revision 1 gained an optional component: events stored before it must still read, and the new ones round-trip. */
class AccessTokenHandedOutCompatibilityTest {

    private final JacksonSerializer serializer = JacksonSerializer.builder()
            .objectMapper(JsonMapper.builder().findAndAddModules().build())
            .build();

    @Test
    void anEventStoredBeforeTokenExchangeReadsWithoutASubjectToken() {
        // Byte for byte what revision 1 stored before exchangedFor existed.
        String stored = """
                {"tokenSetId":{"value":"6f1c2a8e-5b0d-4a53-9d7e-2f4b8c1e9a10"},"clientId":"billing","tokenVersion":2,\
                "actor":{"type":"API_CLIENT","id":"billing","connectSessionId":null},"cause":"token API"}""";
        SerializedObject<byte[]> serialized = new SimpleSerializedObject<>(stored.getBytes(), byte[].class,
                new SimpleSerializedType(AccessTokenHandedOut.class.getName(), "1"));

        AccessTokenHandedOut event = serializer.deserialize(serialized);

        assertThat(event.clientId()).isEqualTo("billing");
        assertThat(event.tokenVersion()).isEqualTo(2);
        assertThat(event.actor()).isEqualTo(Actor.apiClient("billing"));
        assertThat(event.exchangedFor()).isNull();
    }

    @Test
    void anExchangedHandOutRoundTripsWithItsSubjectTokenAndNoRevisionChange() {
        AccessTokenHandedOut event = new AccessTokenHandedOut(TokenSetId.of("alice", "github"), "billing", 3,
                Actor.apiClient("billing"), "token exchange",
                new ExchangedSubjectToken("corp", "https://login.example", "alice", "jti-42"));

        SerializedObject<byte[]> serialized = serializer.serialize(event, byte[].class);
        AccessTokenHandedOut read = serializer.deserialize(serialized);

        assertThat(serialized.getType().getRevision()).isEqualTo("1");
        assertThat(read).isEqualTo(event);
    }
}
