package io.natgate.control.config;

import io.natgate.bindings.OperatingSystem;
import io.natgate.control.cli.Environment;
import io.natgate.control.cli.Natgate;
import io.natgate.control.profile.HardwareProfiles;
import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each class of config error through {@code natgate config check}, on a host whose interfaces are
 * {@code lo} and {@code wan0} ({@code nonexistent0} is not): exit status 2 and one line naming the
 * file, line, key path and value. No privileges needed.
 */
@EnabledOnOs(OS.LINUX)
class ConfigCheckErrorsTest
{
    /** Line numbers matter: the tests below name them. */
    private static final String VALID = """
        profile: small-2core
        ports:
          - name: lan
            interface: lo
            backend: pcap
            role: inside
            address: 10.0.0.1/24
            mac: 02:00:00:00:00:01
            mtu: 1500
          - name: wan
            interface: wan0
            backend: afpacket
            role: outside
            address: 203.0.113.1/24
            nextHop: 203.0.113.254
            mac: 02:00:00:00:00:02
            mtu: 1500
        nat:
          publicAddresses: [203.0.113.1]
          timeouts: {udp: 5m}
          staticMappings:
            - {protocol: tcp, public: 203.0.113.1:8080, inside: 10.0.0.3:80}
        """;

    @TempDir
    Path directory;

    private Environment environment;

    /** A host with a loopback like Linux's ({@code lo}) and one Ethernet interface ({@code wan0}). */
    @BeforeEach
    void host()
    {
        final Path sysfs = TestHosts.fakeInterface(directory.resolve("sys"), "lo", "00:00:00:00:00:00", 65536);
        TestHosts.fakeInterface(sysfs, "wan0", "02:00:00:00:00:02", 1500);
        environment = TestHosts.smallLinux(sysfs);
    }

    @Test
    void shouldAcceptTheValidConfig() throws IOException
    {
        final Path file = write(VALID);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine(environment);
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));

        assertEquals(0, commandLine.execute("config", "check", file.toString()), err.toString());
        assertEquals("", err.toString());
        assertTrue(out.toString().startsWith(file + ": ok"), out.toString());
    }

    @Test
    void shouldRefuseAnUnknownKey() throws IOException
    {
        assertRefused(VALID + "colour: blue\n",
            ":23: colour=blue: unknown key (the top level takes admin, export, firewall, ha, ipv6, journal, log, nat, ports, profile, " +
            "providers)");
    }

    @Test
    void shouldRefuseAnUnknownNestedKey() throws IOException
    {
        assertRefused(VALID.replace("{udp: 5m}", "{udp: 5m, tcp: 2h}"),
            ":20: nat.timeouts.tcp=2h: unknown key (nat.timeouts takes icmp, tcpEstablished, tcpTransitory, udp)");
        assertRefused(VALID.replace("    mtu: 1500\n  - name: wan", "    mtu: 1500\n    speed: 7\n  - name: wan"),
            ":10: ports[0].speed=7: unknown key (ports[0] takes address, backend, interface, mac, mtu, name, " +
            "neighbours, nextHop, queues, role, routes, vlan)");
        assertRefused(VALID.replace("    mtu: 1500\n  - name: wan", "    mtu: 1500\n    vlan: 4095\n  - name: wan"),
            ":10: ports[0].vlan=4095: VLAN must be 1..4094 on an Ethernet port");
    }

    @Test
    void shouldRefuseQueuesOnAPortThatIsNotAfXdpAndQueueIdsListedTwiceOrOutOfRange() throws IOException
    {
        final String queues = "    nextHop: 203.0.113.254\n    queues: %s\n";
        assertRefused(VALID.replace("    nextHop: 203.0.113.254\n", queues.formatted("[0, 1]")),
            ":16: ports[1].queues=[...]: queues are AF_XDP sockets, one per device queue: backend afxdp only");
        final String afXdp = VALID.replace("backend: afpacket", "backend: afxdp");
        assertRefused(afXdp.replace("    nextHop: 203.0.113.254\n", queues.formatted("[0, 2, 2]")),
            ":16: ports[1].queues[2]=2: queue 2 is listed twice");
        assertRefused(afXdp.replace("    nextHop: 203.0.113.254\n", queues.formatted("[1024]")),
            ":16: ports[1].queues[0]=1024: must be between 0 and 1023");
        assertRefused(afXdp.replace("    nextHop: 203.0.113.254\n", queues.formatted("[]")),
            ":16: ports[1].queues=[...]: at least one queue id");
    }

    @Test
    void shouldGiveAnAfXdpPortTheQueuesItListsAndOtherPortsTheFirstQueue() throws IOException
    {
        final Path file = write(VALID.replace("backend: afpacket", "backend: afxdp")
            .replace("    nextHop: 203.0.113.254\n", "    nextHop: 203.0.113.254\n    queues: [0, 3]\n"));
        final GatewayConfig config = TestHosts.linuxLoader(directory.resolve("sys")).load(file);

        assertEquals(java.util.List.of(0, 3), config.ports().get(1).queues());
        assertEquals(java.util.List.of(0), config.ports().get(0).queues());
    }

    @Test
    void shouldRefuseRoutesOnAPortThatIsNotAnInsidePortWithARouter() throws IOException
    {
        assertRefused(VALID.replace("    nextHop: 203.0.113.254\n", "    nextHop: 203.0.113.254\n    routes: [198.51.100.0/24]\n"),
            ":16: ports[1].routes=[...]: routes are the networks beyond an inside port's router: they need " +
                "role inside and a nextHop");
        assertRefused(VALID.replace("    address: 10.0.0.1/24\n", "    address: 10.0.0.1/24\n    routes: [192.168.5.0/24]\n"),
            ":8: ports[0].routes=[...]: routes are the networks beyond an inside port's router: they need " +
                "role inside and a nextHop");
        assertRefused(VALID.replace("    address: 10.0.0.1/24\n",
                "    address: 10.0.0.1/24\n    nextHop: 10.0.0.254\n    routes: [192.168.5.0/24, 10.0.0.128/25]\n"),
            ":9: ports[0].routes[1]=10.0.0.128/25: overlaps the port's own network 10.0.0.1/24");
    }

    @Test
    void shouldAcceptRoutesBeyondAnInsidePortsRouter() throws IOException
    {
        final Path file = write(VALID.replace("    address: 10.0.0.1/24\n",
            "    address: 10.0.0.1/24\n    nextHop: 10.0.0.254\n    routes: [192.168.5.0/24, 192.168.6.0/23]\n"));
        final GatewayConfig config = TestHosts.linuxLoader(directory.resolve("sys")).load(file);
        assertEquals(java.util.Map.of("lan", java.util.List.of(Ipv4Prefix.parseNetwork("192.168.5.0/24"),
            Ipv4Prefix.parseNetwork("192.168.6.0/23"))), config.insideRoutes());
    }

    @Test
    void shouldRefuseAFirewallRuleNamingBothAUserAndAGroup() throws IOException
    {
        assertRefused(VALID + "firewall:\n  rules:\n    - {name: ssh, action: allow, direction: inbound, user: alice," +
            " group: admins}\n",
            ":25: firewall.rules[0].group=admins: a rule names a user or a group, not both");
    }

    @Test
    void shouldRefuseAKeyGivenTwice() throws IOException
    {
        assertRefused(VALID.replace("    mtu: 1500\n  - name: wan", "    mtu: 1500\n    mtu: 1400\n  - name: wan"),
            ":10: ports[0].mtu=1400: key given twice");
    }

    @Test
    void shouldRefuseAMissingKey() throws IOException
    {
        assertRefused(VALID.replace("    interface: lo\n    backend: pcap\n", "    backend: pcap\n"),
            ":3: ports[0].interface: missing; it is required");
    }

    @Test
    void shouldRefuseAValueOfTheWrongType() throws IOException
    {
        assertRefused(VALID.replace("mtu: 1500\n  - name", "mtu: big\n  - name"),
            ":9: ports[0].mtu=big: expected a whole number");
        assertRefused(VALID.replace("[203.0.113.1]", "203.0.113.1"),
            ":19: nat.publicAddresses=203.0.113.1: expected a list");
        assertRefused(VALID.replace("timeouts: {udp: 5m}", "timeouts: [5m]"),
            ":20: nat.timeouts=[...]: expected a mapping of keys to values");
    }

    @Test
    void shouldRefuseABadAddress() throws IOException
    {
        assertRefused(VALID.replace("10.0.0.1/24", "10.0.0.300/24"),
            ":7: ports[0].address=10.0.0.300/24: not an IPv4 address: '10.0.0.300'");
        assertRefused(VALID.replace("[203.0.113.1]", "[203.0.113.1, 203.0.113]"),
            ":19: nat.publicAddresses[1]=203.0.113: not an IPv4 address: '203.0.113'");
        assertRefused(VALID.replace("nextHop: 203.0.113.254", "nextHop: 198.51.100.1"),
            ":15: ports[1].nextHop=198.51.100.1: next hop is not inside 203.0.113.1/24");
    }

    @Test
    void shouldRefuseABadPrefix() throws IOException
    {
        assertRefused(VALID.replace("10.0.0.1/24", "10.0.0.1/33"),
            ":7: ports[0].address=10.0.0.1/33: prefix length must be 0..32");
        assertRefused(VALID.replace("10.0.0.1/24", "10.0.0.1"),
            ":7: ports[0].address=10.0.0.1: expected address/prefix-length, e.g. 10.0.0.1/24");
    }

    @Test
    void shouldRefuseABadPort() throws IOException
    {
        assertRefused(VALID.replace("203.0.113.1:8080", "203.0.113.1:70000"),
            ":22: nat.staticMappings[0].public=203.0.113.1:70000: port must be 1..65535");
        assertRefused(VALID.replace("10.0.0.3:80", "192.168.9.3:80"),
            ":22: nat.staticMappings[0].inside=192.168.9.3:80: not on the network of an inside port");
    }

    @Test
    void shouldRefuseABadDuration() throws IOException
    {
        assertRefused(VALID.replace("udp: 5m", "udp: 5 minutes"),
            ":20: nat.timeouts.udp=5 minutes: not a duration (e.g. 90s, 5m, 2h4m, 100ms)");
        assertRefused(VALID.replace("udp: 5m", "udp: 300"),
            ":20: nat.timeouts.udp=300: a duration needs a unit (e.g. 90s, 5m, 2h4m)");
    }

    @Test
    void shouldRefuseATimeoutBelowTheRfcMinimum() throws IOException
    {
        assertRefused(VALID.replace("udp: 5m", "udp: 30s"),
            ":20: nat.timeouts.udp=30s: RFC 4787 REQ-5: UDP mapping timeout at least 2 minutes");
        assertRefused(VALID.replace("{udp: 5m}", "{udp: 5m, tcpEstablished: 2h}"),
            ":20: nat.timeouts.tcpEstablished=2h: RFC 5382 REQ-5: established idle-timeout at least 2 hours 4 minutes");
    }

    @Test
    void shouldRefuseOverlappingPrefixes() throws IOException
    {
        assertRefused(VALID.replace("10.0.0.1/24", "203.0.113.5/24").replace("10.0.0.3:80", "203.0.113.3:80"),
            ":14: ports[1].address=203.0.113.1/24: overlaps port lan (203.0.113.5/24)");
    }

    @Test
    void shouldRefuseAMissingInterface() throws IOException
    {
        assertRefused(VALID.replace("    interface: lo\n    backend: pcap", "    interface: nonexistent0\n    backend: pcap"),
            ":4: ports[0].interface=nonexistent0: no such network interface on this host");
    }

    @Test
    void shouldRefuseABackendThisSystemDoesNotHave() throws IOException
    {
        assertRefused(VALID.replace("backend: pcap", "backend: windivert"),
            ":5: ports[0].backend=windivert: not available on Linux (windivert runs on Windows)");
        assertRefused(VALID.replace("backend: pcap", "backend: netmap"),
            ":5: ports[0].backend=netmap: expected afpacket, afxdp, pcap or windivert");
    }

    @Test
    void shouldRefuseAfPacketOnWindows() throws IOException
    {
        final Path sysfs = TestHosts.fakeInterface(directory.resolve("sys"), "lo", "00:00:00:00:00:00", 65536);
        final Environment windows = new Environment(new io.natgate.control.profile.Host(OperatingSystem.WINDOWS, 4, 8L << 30),
            new ConfigLoader(OperatingSystem.WINDOWS, NetworkInterfaces.sysfs(sysfs)), HardwareProfiles.builtin());
        assertRefused(windows, VALID, ":12: ports[1].backend=afpacket: not available on Windows (afpacket runs on Linux)");
    }

    @Test
    void shouldTraceValuesTakenFromTheInterfaceToItsLine() throws IOException
    {
        assertRefused(VALID.replace("    mtu: 1500\n  - name: wan", "  - name: wan"),
            ":4: ports[0].mtu=65536 (interface lo's): MTU must be 576..9000");
        assertRefused(VALID.replace("    mac: 02:00:00:00:00:01\n", ""),
            ":4: ports[0].mac=00:00:00:00:00:00 (interface lo's): an Ethernet port needs a unicast MAC");
    }

    @Test
    void shouldRefuseSidesMissing() throws IOException
    {
        assertRefused(VALID.replace("role: outside", "role: inside").replace("    nextHop: 203.0.113.254\n", ""),
            ":2: ports=2 ports: need at least one inside and one outside port");
    }

    @Test
    void shouldRefuseWhatIsNotYaml() throws IOException
    {
        assertRefused(VALID.replace("timeouts: {udp: 5m}", "timeouts: {udp: 5m"),
            ":21: not valid YAML: expected ',' or '}', but got :");
        assertRefused("", ":1: the document is empty");
    }

    @Test
    void shouldRefuseAnUnknownProfile() throws IOException
    {
        assertRefused(VALID.replace("profile: small-2core", "profile: huge"),
            ":1: profile=huge: no such hardware profile (there are server-16core-10g, small-2core, windows-npcap; " +
            "or give a path to a profile file)");
    }

    @Test
    void shouldRefuseBothPortsOnOneInterface() throws IOException
    {
        assertRefused(VALID.replace("interface: wan0", "interface: lo"),
            ":11: ports[1].interface=lo: the interface of ports[0] (lan) too: each port needs an interface of its own");
    }

    @Test
    @Timeout(10)
    void shouldRefuseAHundredMegabyteOneLineFileAtOnceInOneLine() throws IOException
    {
        final Path file = directory.resolve("huge.yaml");
        try (var out = Files.newOutputStream(file))
        {
            final byte[] chunk = "a".repeat(1 << 20).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < 100; i++)
            {
                out.write(chunk);
            }
        }
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine(environment);
        commandLine.setErr(new PrintWriter(err));
        final long startNs = System.nanoTime();

        assertEquals(ConfigException.EXIT_STATUS, commandLine.execute("config", "check", file.toString()));

        final long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        assertEquals(file + ": too large: more than 1048576 bytes (a config file or hardware profile is at most " +
            "1024 KiB)\n", err.toString().replace(System.lineSeparator(), "\n"));
        assertTrue(elapsedMs < 5_000, "refused after " + elapsedMs + " ms");
    }

    @Test
    void shouldRefuseAFileThatCannotBeRead()
    {
        final Path missing = directory.resolve("missing.yaml");
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine(environment);
        commandLine.setErr(new PrintWriter(err));
        assertEquals(ConfigException.EXIT_STATUS, commandLine.execute("config", "check", missing.toString()));
        assertTrue(err.toString().startsWith(missing + ": cannot read: java.nio.file.NoSuchFileException"), err.toString());
    }

    private void assertRefused(final String text, final String expectedAfterFile) throws IOException
    {
        assertRefused(environment, text, expectedAfterFile);
    }

    private void assertRefused(final Environment host, final String text, final String expectedAfterFile)
        throws IOException
    {
        final Path file = write(text);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine(host);
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));

        final int status = commandLine.execute("config", "check", file.toString());

        assertEquals(file + expectedAfterFile + System.lineSeparator(), err.toString());
        assertEquals(2, status);
        assertEquals("", out.toString());
    }

    private Path write(final String text) throws IOException
    {
        return Files.writeString(directory.resolve("natgate.yaml"), text);
    }
}
