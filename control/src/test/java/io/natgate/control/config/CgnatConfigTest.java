package io.natgate.control.config;

import io.natgate.control.cli.Environment;
import io.natgate.control.cli.Natgate;
import io.natgate.control.profile.HardwareProfiles;
import io.natgate.control.testing.TestHosts;
import io.natgate.datapath.nat.DeterministicMap;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.NatConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The CGNAT keys: {@code nat.portBlocks}, {@code nat.deterministic} and {@code export}, read with their
 * values, and each bad value refused in one line naming the file, line, key and value.
 */
@EnabledOnOs(OS.LINUX)
class CgnatConfigTest
{
    /** Line numbers matter: the tests below name them. */
    private static final String BASE = """
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
            mac: 02:00:00:00:00:02
            mtu: 1500
        nat:
          publicAddresses: [203.0.113.1]
        """;

    @TempDir
    Path directory;

    private Environment environment;
    private ConfigLoader loader;

    /** A host with a loopback like Linux's ({@code lo}) and one Ethernet interface ({@code wan0}). */
    @org.junit.jupiter.api.BeforeEach
    void host()
    {
        final Path sysfs = TestHosts.fakeInterface(directory.resolve("sys"), "lo", "00:00:00:00:00:00", 65536);
        TestHosts.fakeInterface(sysfs, "wan0", "02:00:00:00:00:02", 1500);
        environment = TestHosts.smallLinux(sysfs);
        loader = new ConfigLoader(io.natgate.bindings.OperatingSystem.LINUX, NetworkInterfaces.sysfs(sysfs));
    }

    private GatewayConfig load(final String text) throws IOException
    {
        return loader.load(Files.writeString(directory.resolve("natgate.yaml"), text));
    }

    @Test
    void shouldReadPortBlocksDeterministicAndExport() throws IOException
    {
        final GatewayConfig blocks = load(BASE + "  portBlocks: {size: 512, maxPerClient: 3, interimLog: 10m}\n" +
            "export:\n  source: 203.0.113.1\n  poolName: cgn-1\n  ipfix: {collectors: [198.51.100.9:4739], " +
            "templateRefresh: 30s, observationDomain: 9}\n  syslog: {collectors: ['198.51.100.9:514']}\n");
        final NatConfig nat = blocks.natConfig(1024, 0, 1024);
        assertEquals(512, nat.portBlockSize());
        assertEquals(3, nat.portBlocksPerClient());
        assertEquals(TimeUnit.MINUTES.toNanos(10), nat.portBlockInterimNs());
        final ExportConfig export = blocks.export();
        assertEquals(Ipv4.parse("203.0.113.1"), export.sourceAddress());
        assertEquals(List.of(new Ipv4Endpoint(Ipv4.parse("198.51.100.9"), 4739)), export.ipfixCollectors());
        assertEquals(TimeUnit.SECONDS.toNanos(30), export.templateRefreshNs());
        assertEquals(9, export.observationDomain());
        assertEquals(514, export.syslogCollectors().get(0).port());
        assertEquals("cgn-1", export.poolName());

        final String deterministic = BASE.replace("  publicAddresses: [203.0.113.1]\n",
            "  deterministic: {inside: 100.64.0.0/16, public: [203.0.113.0/28]}\n");
        final NatConfig det = load(deterministic).natConfig(1024, 0, 1024);
        final DeterministicMap map = det.deterministic();
        assertEquals(16, det.publicAddresses().length, "the /28's addresses are the pool");
        assertEquals(4096, map.hostsPerAddress());
        assertEquals(15, map.portsPerHost(), "(65536 - 1024) / 4096 ports each");
        final Path file = directory.resolve("natgate.yaml");
        assertEquals(map.toString(), ConfigLoader.deterministic(file).toString(), "read alone, the same map");
        assertNull(ConfigLoader.deterministic(Files.writeString(directory.resolve("plain.yaml"), BASE)));
    }

    @Test
    void shouldRefuseBadCgnatValuesNamingKeyValueAndLine() throws IOException
    {
        assertRefused(BASE + "  portBlocks: {size: 100}\n",
            ":18: nat.portBlocks.size=100: must be a power of two, 8..32768");
        assertRefused(BASE + "  portBlocks: {size: 512, maxPerClient: 200}\n",
            ":18: nat.portBlocks.maxPerClient=200: must be between 1 and 126");
        assertRefused(BASE + "  portBlocks: {size: 64, interimLog: 5s}\n",
            ":18: nat.portBlocks.interimLog=5s: interim records at most once a minute (0: none)");
        assertRefused(BASE.replace("  publicAddresses: [203.0.113.1]\n",
                "  deterministic: {inside: 100.64.0.0/10, public: [203.0.113.0/28]}\n"),
            ":17: nat.deterministic.public=[...]: 262144 inside hosts would share each public address's 64512 ports;" +
                " at least 66 public addresses are needed for 4194304 inside addresses");
        assertRefused(BASE.replace("  publicAddresses: [203.0.113.1]\n",
                "  deterministic: {inside: 100.64.0.1/16, public: [203.0.113.1]}\n"),
            ":17: nat.deterministic.inside=100.64.0.1/16: host bits set beyond the prefix; the network is 100.64.0.0/16");
        assertRefused(BASE + "export:\n  source: 192.0.2.1\n  ipfix: {collectors: [198.51.100.9:4739]}\n",
            ":19: export.source=192.0.2.1: not the address of one of the gateway's ports");
        assertRefused(BASE + "export:\n  ipfix: {collectors: [198.51.100.9]}\n",
            ":19: export.ipfix.collectors[0]=198.51.100.9: expected address:port, e.g. 203.0.113.1:8080");
    }

    private void assertRefused(final String text, final String expectedAfterFile) throws IOException
    {
        final Path file = Files.writeString(directory.resolve("bad.yaml"), text);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Natgate.newCommandLine(environment);
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        final int status = commandLine.execute("config", "check", file.toString());
        assertEquals(file + expectedAfterFile + System.lineSeparator(), err.toString());
        assertEquals(2, status);
    }
}
