package dev.tokenbroker.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokenValueTest {

    @Test
    void serializingATokenValueFailsInsteadOfLeakingIt() {
        JsonMapper json = JsonMapper.builder().findAndAddModules().build();
        LinkTokenSetCommand command = new LinkTokenSetCommand(TokenSetId.of("u", "c"), "u", "c", TokenValue.of("secret-access"),
                null, null, null, null, Set.of(), "s", "n", Actor.scheduler(), "test");

        assertThatThrownBy(() -> json.writeValueAsString(TokenValue.of("secret-access")))
                .isInstanceOf(JsonMappingException.class);
        assertThatThrownBy(() -> json.writeValueAsString(command))
                .isInstanceOf(JsonMappingException.class)
                .hasMessageNotContaining("secret-access");
    }

    @Test
    void tokenValuesCompareByValueAndPrintRedacted() {
        assertThat(TokenValue.of("abc")).isEqualTo(TokenValue.of("abc")).isNotEqualTo(TokenValue.of("abd"));
        assertThat(TokenValue.of("abc")).hasToString("TokenValue[redacted]");
    }

    @Test
    void tokenSetIdIsStableBecauseItIsStoredAsTheAggregateIdentifier() {
        assertThat(TokenSetId.of("user-1", "github"))
                .isEqualTo(TokenSetId.of("user-1", "github"))
                .isNotEqualTo(TokenSetId.of("user-1", "google"))
                .isNotEqualTo(TokenSetId.of("user-1g", "ithub"));
        // Pinned: changing the derivation would orphan every stored token set.
        assertThat(TokenSetId.of("user-1", "github").value())
                .isEqualTo(UUID.nameUUIDFromBytes("token-set:6:user-1:github".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(TokenSetId.parse(TokenSetId.of("a", "b").toString())).isEqualTo(TokenSetId.of("a", "b"));
    }
}
