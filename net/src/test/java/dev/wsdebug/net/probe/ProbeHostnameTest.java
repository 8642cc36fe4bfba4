package dev.wsdebug.net.probe;

import dev.wsdebug.net.tls.Tls;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;

/** The host name check against the names of serve's self-signed certificate. */
class ProbeHostnameTest {
    private static final X509Certificate CERT = Tls.selfSigned().certificate();

    @Test
    void namesAndAddressesTheCertificateListsMatch() {
        assertThat(HostnameMatch.names(CERT)).contains("DNS:localhost", "IP:127.0.0.1");
        assertThat(HostnameMatch.matches(CERT, "localhost")).isTrue();
        assertThat(HostnameMatch.matches(CERT, "LOCALHOST.")).isTrue();
        assertThat(HostnameMatch.matches(CERT, "127.0.0.1")).isTrue();
        assertThat(HostnameMatch.matches(CERT, "[::1]")).isTrue();
        assertThat(HostnameMatch.matches(CERT, "::1")).isTrue();
    }

    @Test
    void otherNamesAndAddressesDoNot() {
        assertThat(HostnameMatch.matches(CERT, "example.com")).isFalse();
        assertThat(HostnameMatch.matches(CERT, "127.0.0.2")).isFalse();
        assertThat(HostnameMatch.matches(CERT, "a.localhost")).isFalse();
    }

    @Test
    void pingAdviceIsAtMostHalfTheTimeout() {
        assertThat(IdleStep.pingAdvice(2.03)).isEqualTo("1");
        assertThat(IdleStep.pingAdvice(5.0)).isEqualTo("2");
        assertThat(IdleStep.pingAdvice(61)).isEqualTo("30");
        assertThat(IdleStep.pingAdvice(1.2)).isEqualTo("0.6");
        // a drop measured just under a whole number of seconds is that timeout, as shown
        assertThat(IdleStep.pingAdvice(1.996)).isEqualTo("1");
        assertThat(IdleStep.whole(1.996)).isEqualTo("2");
        assertThat(IdleStep.whole(2.04)).isEqualTo("2");
        assertThat(IdleStep.whole(2.46)).isEqualTo("2.5");
        assertThat(IdleStep.whole(0.96)).isEqualTo("1");
        assertThat(IdleStep.whole(0.5)).isEqualTo("0.5");
    }
}
