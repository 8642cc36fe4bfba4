package dev.wsdebug.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Close codes: RFC 6455 7.4 and the IANA WebSocket Close Code Number Registry. */
class CloseCodesTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "1000 | Normal Closure",
        "1001 | Going Away",
        "1002 | Protocol Error",
        "1003 | Unsupported Data",
        "1004 | Reserved",
        "1005 | No Status Received",
        "1006 | Abnormal Closure",
        "1007 | Invalid Frame Payload Data",
        "1008 | Policy Violation",
        "1009 | Message Too Big",
        "1010 | Mandatory Extension",
        "1011 | Internal Error",
        "1012 | Service Restart",
        "1013 | Try Again Later",
        "1014 | Bad Gateway",
        "1015 | TLS Handshake",
    })
    void registryNames(int code, String name) {
        assertThat(CloseCodes.name(code)).isEqualTo(name);
        assertThat(CloseCodes.meaning(code)).isNotBlank().endsWith(".");
    }

    @Test
    void constants() {
        assertThat(new int[] {CloseCodes.NORMAL, CloseCodes.GOING_AWAY, CloseCodes.PROTOCOL_ERROR,
            CloseCodes.UNSUPPORTED_DATA, CloseCodes.NO_STATUS_RECEIVED, CloseCodes.ABNORMAL, CloseCodes.INVALID_PAYLOAD,
            CloseCodes.POLICY_VIOLATION, CloseCodes.MESSAGE_TOO_BIG, CloseCodes.MANDATORY_EXTENSION,
            CloseCodes.INTERNAL_ERROR, CloseCodes.SERVICE_RESTART, CloseCodes.TRY_AGAIN_LATER, CloseCodes.BAD_GATEWAY,
            CloseCodes.TLS_HANDSHAKE})
                .containsExactly(1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015);
    }

    @Test
    void ranges() {
        // RFC 6455 7.4.2: 0-999 unused, 1000-2999 protocol, 3000-3999 registered, 4000-4999 private
        for (int code : new int[] {0, 1, 999, 5000, 65535, -1, 70000}) {
            assertThat(CloseCodes.name(code)).as("%d", code).isEqualTo("Invalid");
            assertThat(CloseCodes.meaning(code)).endsWith(".");
        }
        for (int code : new int[] {1016, 2000, 2999}) {
            assertThat(CloseCodes.name(code)).as("%d", code).startsWith("Reserved").contains("1016-2999");
        }
        for (int code : new int[] {3000, 3500, 3999}) {
            assertThat(CloseCodes.name(code)).as("%d", code).contains("3000-3999");
        }
        for (int code : new int[] {4000, 4500, 4999}) {
            assertThat(CloseCodes.name(code)).as("%d", code).startsWith("Private Use").contains("4000-4999");
        }
    }

    @Test
    void localOnlyCodesAreExactly1005And1006And1015() {
        for (int code = 0; code <= 0xFFFF; code++) {
            assertThat(CloseCodes.isLocalOnly(code)).as("%d", code)
                    .isEqualTo(code == 1005 || code == 1006 || code == 1015);
        }
    }

    @Test
    void validOnWire() {
        // RFC 6455 7.4.1/7.4.2 with the IANA registrations 1012-1014: 1004 is reserved, 1005, 1006 and
        // 1015 are local only, 1016-2999 are reserved for the protocol, 3000-4999 are open
        for (int code = 0; code <= 0xFFFF; code++) {
            boolean expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
                    || (code >= 3000 && code <= 4999);
            assertThat(CloseCodes.isValidOnWire(code)).as("%d", code).isEqualTo(expected);
            if (CloseCodes.isLocalOnly(code)) {
                assertThat(CloseCodes.isValidOnWire(code)).isFalse();
            }
        }
    }
}
