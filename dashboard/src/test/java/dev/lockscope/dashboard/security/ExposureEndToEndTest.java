package dev.lockscope.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lockscope.dashboard.DashboardConfig;
import dev.lockscope.it.RunningDashboard;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What the dashboard exposes by default, and what no request can make it serve. */
class ExposureEndToEndTest {
    private static final List<String> TRAVERSALS = List.of(
            "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/js/..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/..%5c..%5c..%5cetc%5cpasswd", "/js/%252e%252e/%252e%252e/etc/passwd",
            "//etc/passwd", "/webjars/../../../../../etc/passwd", "/webjars/uplot/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/js/../../dev/lockscope/dashboard/DashboardApp.class", "/dev/lockscope/dashboard/DashboardApp.class",
            "/public/../dev/lockscope/dashboard/DashboardApp.class", "/META-INF/MANIFEST.MF", "/index.html%00.js",
            "/api/threaddumps/..%2f..%2f..%2f..%2fetc%2fpasswd", "/api/threaddumps/%2fetc%2fpasswd?format=text&download=true",
            "/api/profiles/..%2f..%2f..%2fetc%2fpasswd/jfr", "/api/profiles/%2fetc%2fpasswd/collapsed",
            "/api/jvms/..%2f..%2fetc%2fpasswd/samples", "/api/profiles/a/diff/..%2f..%2f..%2fetc%2fpasswd/html");

    @Test
    void theDefaultBindIsLoopbackAndItIsNotReachableOnThisMachinesOtherAddresses() throws Exception {
        assertThat(DashboardConfig.defaults().host()).isEqualTo("127.0.0.1");
        assertThat(DashboardConfig.parse(new String[0], null).loopbackOnly()).isTrue();
        InetAddress external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst().orElse(null);
        Assumptions.assumeTrue(external != null, "this machine has no non-loopback IPv4 address to try");
        try (RunningDashboard d = RunningDashboard.start()) {
            assertThat(RawHttp.status(RawHttp.exchange(d.port(), "GET /api/jvms HTTP/1.1\r\nHost: 127.0.0.1\r\n"))).isEqualTo(200);
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(external, d.port()), 2000);
                }
            }).as("connecting to %s:%d", external, d.port()).isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void aNonLoopbackBindWithoutATokenRefusesToStartAndWithOneItStarts() {
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--host", "0.0.0.0"}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set --token");
        assertThatThrownBy(() -> DashboardConfig.parse(new String[] {"--host", "0.0.0.0", "--token", " "}, null))
                .hasMessageContaining("--token must not be empty");
        assertThat(DashboardConfig.parse(new String[] {"--host", "0.0.0.0"}, "from-env").token()).isEqualTo("from-env");
    }

    @Test
    void noPathReadsAFileOutsideTheUiOrTheClassPathNoMatterHowItIsEncoded() throws Exception {
        try (RunningDashboard d = RunningDashboard.start()) {
            for (String path : TRAVERSALS) {
                String response = RawHttp.exchange(d.port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
                int status = RawHttp.status(response);
                assertThat(status).as("GET %s -> %s", path, response).isBetween(400, 404);
                assertThat(response).as("GET %s", path).doesNotContain("root:").doesNotContain("Manifest-Version");
            }
            // What is served is the UI itself.
            assertThat(RawHttp.exchange(d.port(), "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n")).contains("200 OK");
        }
    }
}
