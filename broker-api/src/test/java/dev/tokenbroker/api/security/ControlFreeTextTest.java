package dev.tokenbroker.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Same answers as StrictHttpFirewall's default expression, for every code point and for mixed strings. */
class ControlFreeTextTest {

    private static final Pattern FIREWALL_DEFAULT = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");

    private final ControlFreeText controlFree = new ControlFreeText();

    @Test
    void agreesWithTheFirewallExpressionOnEveryCodePoint() {
        for (int codePoint = 0; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
            String text = "Bearer " + new String(Character.toChars(codePoint)) + "x";
            assertThat(controlFree.test(text)).as("U+%04X", codePoint)
                    .isEqualTo(FIREWALL_DEFAULT.matcher(text).matches());
        }
    }

    @Test
    void agreesOnEdgeCases() {
        for (String text : new String[] {"", "Bearer eyJ.abc-_~+/=", "a\tb", "a\u007fb", "a\r\nb", "\ud800", "x\udc00",
                "\ud83d\ude00 ok", "\u00e9t\u00e9", "a\u0000"}) {
            assertThat(controlFree.test(text)).as(text).isEqualTo(FIREWALL_DEFAULT.matcher(text).matches());
        }
    }
}
