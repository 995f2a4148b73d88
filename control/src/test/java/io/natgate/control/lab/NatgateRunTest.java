package io.natgate.control.lab;

import io.natgate.control.config.Backend;
import io.natgate.control.config.ConfigException;
import io.natgate.control.lab.LabTopology.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code natgate run} as an operator meets it, in a child JVM: it stops cleanly on SIGTERM and
 * SIGINT, and a bad config file is one line on standard error and exit status 2 with nothing
 * started (the loader's own tests cover every class of error; these cover the command's end).
 * Needs root for the lab (CI runs it as root).
 */
@Timeout(90)
class NatgateRunTest
{
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    private static LabFixture fixture;
    private static Lab lab;
    private static NatgateJvm jvm;

    @BeforeAll
    static void makeLab()
    {
        jvm = NatgateJvm.current();
        fixture = LabFixture.bare("run");
        lab = fixture.lab();
    }

    @AfterAll
    static void removeLab()
    {
        if (fixture != null)
        {
            fixture.close();
        }
    }

    @Test
    void shouldStopCleanlyWithStatusZeroOnSigterm()
    {
        final LabGateway gateway = LabGateway.start(lab, jvm, config("sigterm", LabGatewayConfig.text(
            Backend.AFPACKET, "small-2core")), null);

        final int status = gateway.stop();

        assertTrue(gateway.output().contains(LabGateway.STOPPED), gateway.output().toString());
        assertEquals(0, status, gateway.output().toString());
    }

    @Test
    void shouldStopCleanlyWithStatusZeroOnSigint()
    {
        final LabGateway gateway = LabGateway.start(lab, jvm, config("sigint", LabGatewayConfig.text(
            Backend.PCAP, "small-2core")), null);

        Exec.check(List.of("kill", "-INT", String.valueOf(gateway.process().pid())));
        final int status = gateway.process().waitFor(RUN_TIMEOUT);

        assertTrue(gateway.output().contains(LabGateway.STOPPED), gateway.output().toString());
        assertEquals(0, status, gateway.output().toString());
    }

    @Test
    void shouldForwardWithOnlyTheCapabilitiesTheInstalledUnitGrants() throws Exception
    {
        final Path root = Files.createDirectories(fixture.directory().resolve("install-root"));
        final Exec.Result install = Exec.run(RUN_TIMEOUT, jvm.natgate("install", "--root", root.toString()));
        assertEquals(0, install.exitStatus(), install.describe());
        final String unit = Files.readString(root.resolve("etc/systemd/system/natgate.service"));
        assertTrue(Files.isDirectory(root.resolve("var/lib/natgate/journal")), install.describe());
        assertTrue(Files.isRegularFile(root.resolve("etc/natgate/natgate.yaml")), install.describe());
        final String granted = unit.lines().filter(line -> line.startsWith("AmbientCapabilities="))
            .findFirst().orElseThrow().substring("AmbientCapabilities=".length());
        assertTrue(unit.contains("\nCapabilityBoundingSet=" + granted + "\n") && unit.contains("\nDynamicUser=yes\n") &&
            !unit.contains("User=root"), unit);
        // setpriv's names: cap_net_raw -> net_raw; every other capability dropped from every set
        final String caps = String.join(",", java.util.Arrays.stream(granted.split(" "))
            .map(name -> "+" + name.toLowerCase(java.util.Locale.ROOT).substring("cap_".length())).toList());
        final List<String> setpriv = List.of("setpriv", "--no-new-privs", "--bounding-set", "-all," + caps,
            "--inh-caps", "-all," + caps, "--ambient-caps", "-all," + caps);

        final LabGateway gateway = LabGateway.start(lab, jvm, config("capabilities", LabGatewayConfig.text(
            Backend.AFPACKET, "small-2core")), null, setpriv);
        try
        {
            final String status = Files.readString(Path.of("/proc/" + gateway.process().pid() + "/status"));
            final LabTraffic.PingResult ping = LabTraffic.ping(lab, Role.CLIENT, LabTopology.SERVER_ADDRESS, 2);

            // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13: those two and nothing else
            assertTrue(status.contains("\nCapEff:\t0000000000003000\n"), status);
            assertEquals(2, ping.received(), ping.output());
        }
        finally
        {
            assertEquals(0, gateway.stop(), gateway.output().toString());
        }
    }

    @Test
    void shouldRefuseAnUnknownKeyWithOneLineAndStatusTwo()
    {
        final String text = LabGatewayConfig.text(Backend.AFPACKET, "small-2core") + "colour: blue\n";
        final Path file = config("unknown-key", text);

        final Exec.Result run = run(Role.GATEWAY, file);

        assertEquals(ConfigException.EXIT_STATUS, run.exitStatus(), run.describe());
        assertEquals(List.of(file + ":" + text.lines().count() + ": colour=blue: unknown key (the top level takes " +
            "admin, export, firewall, ha, ipv6, journal, log, nat, ports, profile, providers)"), run.stderr().lines().toList());
        assertTrue(!run.stdout().contains(LabGateway.FORWARDING), run.stdout());
    }

    @Test
    void shouldRefuseABadValueNamingItsKeyAndLine()
    {
        final String text = LabGatewayConfig.text(Backend.AFPACKET, "small-2core")
            .replace("filtering: address-dependent", "filtering: sideways");
        final Path file = config("bad-value", text);

        final Exec.Result run = run(Role.GATEWAY, file);

        assertEquals(ConfigException.EXIT_STATUS, run.exitStatus(), run.describe());
        final List<String> lines = run.stderr().lines().toList();
        assertEquals(1, lines.size(), run.stderr());
        assertTrue(lines.getFirst().startsWith(file + ":" + lineOf(text, "filtering:") + ": nat.filtering=sideways: "),
            lines.getFirst());
    }

    @Test
    void shouldRefuseAnInterfaceMissingFromTheNamespaceItRunsIn()
    {
        // The lab's config outside the gateway's namespace: veth-lan is not there.
        final String text = LabGatewayConfig.text(Backend.AFPACKET, "small-2core");
        final Path file = config("missing-interface", text);

        final Exec.Result run = run(Role.CLIENT, file);

        assertEquals(ConfigException.EXIT_STATUS, run.exitStatus(), run.describe());
        assertEquals(List.of(file + ":" + lineOf(text, "interface: " + LabTopology.GATEWAY_INSIDE_INTERFACE) +
            ": ports[0].interface=" + LabTopology.GATEWAY_INSIDE_INTERFACE + ": no such network interface on this host"),
            run.stderr().lines().toList());
    }

    @Test
    void shouldRefuseASecondGatewayOnTheSameJournalInOneLineWithoutJournalingAnything()
    {
        final Path file = config("second", LabGatewayConfig.text(Backend.AFPACKET, "small-2core"));
        try (LabGateway first = LabGateway.start(lab, jvm, file, null))
        {
            final Path journal = file.resolveSibling("journal");
            final String before = journal(journal);

            final Exec.Result second = run(Role.GATEWAY, file);

            assertEquals(1, second.exitStatus(), second.describe());
            final List<String> lines = second.stderr().lines().toList();
            assertEquals(List.of("natgate: cannot start: another natgate gateway (pid " + first.process().pid() +
                ") is running on the journal " + journal + "; one gateway per journal directory"), lines);
            assertTrue(!second.stdout().contains(LabGateway.FORWARDING), second.stdout());
            assertTrue(before.contains("gateway-started"), before);
            assertEquals(before, journal(journal), "the second run journaled nothing");
            assertTrue(first.healthy(), "the first gateway still answers");
        }
    }

    @Test
    void shouldStartTheGatewayWithItsHeapBoundedFromItsProfile() throws Exception
    {
        final Path file = config("heap", LabGatewayConfig.text(Backend.AFPACKET, "small-2core"));
        final Exec.Result asked = run(Role.GATEWAY, file, "--jvm-heap");
        assertEquals(0, asked.exitStatus(), asked.describe());
        final String option = asked.stdout().strip();
        assertTrue(option.matches("-Xmx[0-9]+m"), option);
        final long boundMib = Long.parseLong(option.substring(4, option.length() - 1));
        assertTrue(boundMib >= 256 && boundMib < 1024, option + " for small-2core");

        try (LabGateway gateway = LabGateway.start(lab, jvm, file, null))
        {
            final List<String> jvmArguments = List.of(Files.readString(
                Path.of("/proc", String.valueOf(gateway.process().pid()), "cmdline")).split("\0"));
            assertTrue(jvmArguments.contains(option), jvmArguments.toString());
            final String heapLine = gateway.output().stream().filter(line -> line.startsWith("natgate: heap "))
                .findFirst().orElseThrow(() -> new AssertionError(gateway.output().toString()));
            assertTrue(!heapLine.contains("not bounded"), heapLine);
        }
    }

    private static String journal(final Path directory)
    {
        final Exec.Result show = Exec.run(RUN_TIMEOUT,
            jvm.natgate("journal", "show", "--journal", directory.toString(), "--json"));
        assertEquals(0, show.exitStatus(), show.describe());
        return show.stdout();
    }

    private static Exec.Result run(final Role role, final Path file, final String... more)
    {
        final List<String> command = new ArrayList<>(jvm.natgate("run", "--config", file.toString(), "--counters",
            file.resolveSibling(file.getFileName() + ".counters").toString()));
        command.addAll(List.of(more));
        return Exec.run(RUN_TIMEOUT, lab.in(role, command));
    }

    private static Path config(final String name, final String text)
    {
        try
        {
            final Path subdirectory = Files.createDirectories(fixture.directory().resolve(name));
            return Files.writeString(subdirectory.resolve(name + ".yaml"), text);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static long lineOf(final String text, final String fragment)
    {
        final List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).contains(fragment))
            {
                return i + 1;
            }
        }
        throw new AssertionError(fragment + " is not in the config");
    }
}
