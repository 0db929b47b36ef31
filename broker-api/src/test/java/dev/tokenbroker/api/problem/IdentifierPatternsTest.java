package dev.tokenbroker.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The character loops (the token fetch's fast path) accept exactly what the patterns (the controllers) accept. */
class IdentifierPatternsTest {

    private static final Pattern USER = Pattern.compile(IdentifierPatterns.USER_ID);
    private static final Pattern CONNECTOR = Pattern.compile(IdentifierPatterns.CONNECTOR_ID);
    private static final String ALPHABET = "azAZ09._:@|+-/ %~!é\u0000\u00ff\u4e2d";

    @Test
    void userIdsAndConnectorIdsAgreeWithThePatternsOnChosenAndRandomValues() {
        List<String> chosen = List.of("", "a", "-", "-github", "github-", "git hub", "GitHub", "a".repeat(64),
                "a".repeat(65), "u".repeat(128), "u".repeat(129), "user@example.com", "a|b+c:d", "ü", "..", ".");
        for (String value : chosen) {
            assertAgree(value);
        }
        SplittableRandom random = new SplittableRandom(17);
        for (int n = 0; n < 200_000; n++) {
            int length = random.nextInt(0, n % 100 == 0 ? 140 : 8);
            StringBuilder value = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                value.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            assertAgree(value.toString());
        }
    }

    private static void assertAgree(String value) {
        assertThat(IdentifierPatterns.isUserId(value)).as("user id %s", value).isEqualTo(USER.matcher(value).matches());
        assertThat(IdentifierPatterns.isConnectorId(value)).as("connector id %s", value)
                .isEqualTo(CONNECTOR.matcher(value).matches());
    }
}
