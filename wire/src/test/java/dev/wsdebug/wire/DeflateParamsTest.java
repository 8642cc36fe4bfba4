package dev.wsdebug.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** permessage-deflate parameters (RFC 7692 7.1) and the extension header grammar (RFC 6455 9.1). */
class DeflateParamsTest {

    private static DeflateParams parse(String header) {
        return DeflateParams.fromHeader(header);
    }

    // ---- parse and format -----------------------------------------------------------------------

    @Test
    void allFourParametersRoundTrip() {
        String h = "permessage-deflate; client_no_context_takeover; server_no_context_takeover;"
                + " client_max_window_bits=10; server_max_window_bits=12";
        DeflateParams p = parse(h);
        assertThat(p).isEqualTo(new DeflateParams(true, true, 10, 12));
        assertThat(p.format()).isEqualTo(h);
        assertThat(parse(p.format())).isEqualTo(p);
        assertThat(p.clientWindowBits()).isEqualTo(10);
        assertThat(p.serverWindowBits()).isEqualTo(12);
        assertThat(p.windowBits(Direction.C2S)).isEqualTo(10);
        assertThat(p.windowBits(Direction.S2C)).isEqualTo(12);
        assertThat(p.noContextTakeover(Direction.C2S)).isTrue();
        assertThat(p.noContextTakeover(Direction.S2C)).isTrue();
    }

    @Test
    void parametersInAnyOrderAndCaseFormatCanonically() {
        DeflateParams p = parse("PerMessage-Deflate ;Server_Max_Window_Bits=9 ; CLIENT_NO_CONTEXT_TAKEOVER");
        assertThat(p).isEqualTo(new DeflateParams(true, false, DeflateParams.ABSENT, 9));
        assertThat(p.format()).isEqualTo("permessage-deflate; client_no_context_takeover; server_max_window_bits=9");
    }

    @Test
    void noParameters() {
        DeflateParams p = parse("permessage-deflate");
        assertThat(p).isEqualTo(DeflateParams.DEFAULT);
        assertThat(p.format()).isEqualTo("permessage-deflate");
        assertThat(p.clientWindowBits()).isEqualTo(15);
        assertThat(p.serverWindowBits()).isEqualTo(15);
        assertThat(p.noContextTakeover(Direction.C2S)).isFalse();
        assertThat(p.noContextTakeover(Direction.S2C)).isFalse();
    }

    @Test
    void clientMaxWindowBitsWithAndWithoutValue() {
        DeflateParams none = parse("permessage-deflate; client_max_window_bits");
        assertThat(none.clientMaxWindowBits()).isEqualTo(DeflateParams.NO_VALUE);
        assertThat(none.clientWindowBits()).isEqualTo(15);
        assertThat(none.format()).isEqualTo("permessage-deflate; client_max_window_bits");
        DeflateParams eight = parse("permessage-deflate; client_max_window_bits=8");
        assertThat(eight.clientMaxWindowBits()).isEqualTo(8);
        assertThat(eight.format()).isEqualTo("permessage-deflate; client_max_window_bits=8");
    }

    @Test
    void quotedValueIsUnquoted() {
        // RFC 7692 7.1: a quoted-string value must conform to the token syntax once unquoted
        assertThat(parse("permessage-deflate; server_max_window_bits=\"10\"").serverMaxWindowBits()).isEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",
        "permessage-deflate; client_max_window_bits=08",
        "permessage-deflate; client_max_window_bits=+9",
        "permessage-deflate; client_max_window_bits=ten",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
        "permessage-deflate; Server_Max_Window_Bits=10; server_max_window_bits=10",
        "permessage-deflate; client_no_context_takeover=true",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; max_window_bits=10",
        "permessage-deflate; x",
    })
    void badParametersAreRejectedWithASentence(String header) {
        assertThatThrownBy(() -> parse(header))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).matches("[A-Z\\p{Lower}].*\\.");
                    // the sentence names the parameter at fault
                    String param = header.substring(header.lastIndexOf(';') + 1).trim().split("=")[0];
                    assertThat(e.getMessage().toLowerCase()).contains(param.toLowerCase());
                });
    }

    @Test
    void otherExtensionIsNotPermessageDeflate() {
        Extension e = Extension.parseHeader("x-webkit-deflate-frame").get(0);
        assertThatThrownBy(() -> DeflateParams.from(e)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x-webkit-deflate-frame");
        assertThat(parse("x-webkit-deflate-frame")).isNull();
        assertThat(parse(null)).isNull();
        assertThat(parse("")).isNull();
    }

    @Test
    void firstAndAllPermessageDeflateEntries() {
        String h = "x-foo; a=1, permessage-deflate; client_max_window_bits; server_max_window_bits=10,"
                + " permessage-deflate; client_max_window_bits";
        assertThat(parse(h)).isEqualTo(new DeflateParams(false, false, DeflateParams.NO_VALUE, 10));
        assertThat(DeflateParams.allFromHeader(h)).containsExactly(
                new DeflateParams(false, false, DeflateParams.NO_VALUE, 10),
                new DeflateParams(false, false, DeflateParams.NO_VALUE, DeflateParams.ABSENT));
    }

    // ---- responses against offers (RFC 7692 7.1) -------------------------------------------------

    /** Problems of response {@code resp} to offer {@code offer}, both written as header values. */
    private static List<String> problems(String offer, String resp) {
        return parse(resp).problemsAsResponseTo(parse(offer));
    }

    @ParameterizedTest(name = "offer [{0}] response [{1}]")
    @CsvSource(delimiter = '|', value = {
        // 7.1.1.1: a server may always decline context takeover for itself
        "permessage-deflate | permessage-deflate; server_no_context_takeover",
        // 7.1.1.2: ... and may ask the client not to take over context
        "permessage-deflate | permessage-deflate; client_no_context_takeover",
        "permessage-deflate; server_no_context_takeover | permessage-deflate; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover | permessage-deflate",
        // 7.1.2.1: the same or a smaller server window than offered, or one not asked for
        "permessage-deflate; server_max_window_bits=10 | permessage-deflate; server_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=10 | permessage-deflate; server_max_window_bits=8",
        "permessage-deflate | permessage-deflate; server_max_window_bits=12",
        // 7.1.2.2: client_max_window_bits in the response needs it in the offer
        "permessage-deflate; client_max_window_bits | permessage-deflate; client_max_window_bits=9",
        "permessage-deflate; client_max_window_bits | permessage-deflate",
        "permessage-deflate; client_max_window_bits=12 | permessage-deflate; client_max_window_bits=12",
        "permessage-deflate; client_max_window_bits=12 | permessage-deflate; client_max_window_bits=10",
    })
    void acceptableResponses(String offer, String resp) {
        assertThat(problems(offer, resp)).isEmpty();
    }

    @ParameterizedTest(name = "offer [{0}] response [{1}]")
    @CsvSource(delimiter = '|', value = {
        // 7.1.1.1: accepting an offer of server_no_context_takeover means including it
        "permessage-deflate; server_no_context_takeover | permessage-deflate | server_no_context_takeover",
        // 7.1.2.1: accepting server_max_window_bits means including it, with the same or a smaller value
        "permessage-deflate; server_max_window_bits=10 | permessage-deflate | server_max_window_bits",
        "permessage-deflate; server_max_window_bits=10 | permessage-deflate; server_max_window_bits=11 | 11",
        // 7.1.2.2: no client_max_window_bits in the response unless offered; and with a value
        "permessage-deflate | permessage-deflate; client_max_window_bits=10 | client_max_window_bits",
        "permessage-deflate; client_max_window_bits | permessage-deflate; client_max_window_bits | value",
        "permessage-deflate; client_max_window_bits=10 | permessage-deflate; client_max_window_bits=11 | 11",
    })
    void unacceptableResponses(String offer, String resp, String mentioned) {
        List<String> p = problems(offer, resp);
        assertThat(p).hasSize(1);
        assertThat(p.get(0)).contains(mentioned).endsWith(".");
    }

    @Test
    void responseFitsAnyOneOfSeveralOffers() {
        List<DeflateParams> offers = DeflateParams.allFromHeader(
                "permessage-deflate; server_max_window_bits=10; server_no_context_takeover, permessage-deflate");
        assertThat(parse("permessage-deflate").problemsAsResponseTo(offers)).isEmpty();
        assertThat(parse("permessage-deflate; server_max_window_bits=10; server_no_context_takeover")
                .problemsAsResponseTo(offers)).isEmpty();
        // fits none: the problems against the first offer are given
        List<String> p = parse("permessage-deflate; client_max_window_bits=10").problemsAsResponseTo(offers);
        assertThat(p).isNotEmpty();
        assertThat(p).isEqualTo(parse("permessage-deflate; client_max_window_bits=10")
                .problemsAsResponseTo(offers.get(0)));
        assertThat(DeflateParams.DEFAULT.problemsAsResponseTo(List.of())).singleElement().asString()
                .contains("did not offer");
    }

    // ---- Extension header grammar -----------------------------------------------------------------

    @Test
    void extensionParameters() {
        List<Extension> e = Extension.parseHeader(" bar; a ; b=1;c=\"xy\" ,baz");
        assertThat(e).containsExactly(
                new Extension("bar", List.of(new Extension.Param("a", null), new Extension.Param("b", "1"),
                        new Extension.Param("c", "xy"))),
                new Extension("baz", List.of()));
        assertThat(e.get(0).format()).isEqualTo("bar; a; b=1; c=xy");
    }

    @Test
    void emptyHeaderHasNoExtensions() {
        assertThat(Extension.parseHeader(null)).isEmpty();
        assertThat(Extension.parseHeader("  ")).isEmpty();
        assertThat(Extension.parseHeader("a,,b")).extracting(Extension::name).containsExactly("a", "b");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"bad name", "a; =1", "a; b=", "a; b=c d", "\"quoted\"", "a; b=\"x,y\"", "a;;b", "a@b"})
    void malformedExtensionHeaders(String header) {
        assertThatThrownBy(() -> Extension.parseHeader(header)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(".");
    }
}
