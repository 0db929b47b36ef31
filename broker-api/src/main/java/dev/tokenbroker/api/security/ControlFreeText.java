package dev.tokenbroker.api.security;

import java.util.function.Predicate;

/**
 * What Spring Security's {@code StrictHttpFirewall} accepts by default for header names, header values and
 * parameter names — every code point assigned and not a control character (the regular expression
 * {@code [\p{IsAssigned}&&[^\p{IsControl}]]*}) — checked with a loop that accepts printable ASCII at once.
 *
 * <p>Why: the firewall checks each header value a filter reads; the regular expression over the ~800-character
 * API token cost ~4 % of the token fetch's CPU in the profile (benchmarks/token-fetch/RESULTS.md). Same rule,
 * {@code ControlFreeTextTest} compares it with the expression over every code point.
 */
final class ControlFreeText implements Predicate<String> {

    @Override
    public boolean test(String text) {
        int length = text.length();
        for (int i = 0; i < length; ) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                i++;
                continue;
            }
            int codePoint = text.codePointAt(i);
            int type = Character.getType(codePoint);
            if (type == Character.UNASSIGNED || type == Character.CONTROL) {
                return false;
            }
            i += Character.charCount(codePoint);
        }
        return true;
    }
}
