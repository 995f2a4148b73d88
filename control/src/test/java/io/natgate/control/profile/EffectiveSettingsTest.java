package io.natgate.control.profile;

import io.natgate.bindings.OperatingSystem;
import io.natgate.control.config.ConfigException;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.Location;
import io.natgate.control.testing.TestHosts;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EffectiveSettingsTest
{
    /** Profile lines for the example config's MTU 1500 ports in the default 2 KiB slots. */
    private static final String PLAIN_FRAMES = "afpacket:\n  offloads: false  # no 64 KiB aggregates\n";

    private final HardwareProfiles builtin = HardwareProfiles.builtin();

    @TempDir
    Path directory;

    @Test
    void shouldLayerDefaultThenProfileThenConfigRememberingEachSource() throws IOException
    {
        final EffectiveSettings settings =
            EffectiveSettings.resolve(exampleConfig(), null, TestHosts.SMALL_LINUX, builtin);
        final String profileFile = "hw-profiles/small-2core.yaml";

        final Setting rx = settings.setting(ProfileKey.RX_RING);
        assertEquals(Source.PROFILE, rx.source());
        assertEquals(1L << 20, rx.value());
        assertEquals(profileFile, rx.location().source());
        assertEquals("rings.rx", rx.location().path());

        final Setting windivert = settings.setting(ProfileKey.WINDIVERT_BATCH_SIZE);
        assertEquals(Source.DEFAULT, windivert.source());
        assertNull(windivert.location());

        final Setting sessions = settings.setting(ProfileKey.MAX_SESSIONS);
        assertEquals(Source.CONFIG, sessions.source());
        assertEquals(new Location(directory.resolve("natgate.yaml").toString(), maxSessionsLine(), "nat.maxSessions", "65536"),
            sessions.location());
        assertEquals(Source.PROFILE, settings.setting(ProfileKey.MAX_CLIENTS).source());

        assertEquals("small-2core", settings.profile().name());
        assertEquals("config " + directory.resolve("natgate.yaml") + ":15", settings.selection());
        assertEquals(ProfileKey.values().length, settings.settings().size());
    }

    @Test
    void shouldGiveTheDatapathItsSettings() throws IOException
    {
        final EffectiveSettings settings = EffectiveSettings.resolve(
            exampleConfig(), "server-16core-10g", TestHosts.SMALL_LINUX,
            builtin);

        final PipelineConfig pipeline = settings.pipelineConfig();
        assertEquals(4 << 20, pipeline.rxRingCapacity());
        assertEquals(64, pipeline.burstSize());
        assertEquals(10, pipeline.workers());
        assertEquals(ThreadingMode.DEDICATED, pipeline.threadingMode());
        assertEquals("busy-spin", pipeline.idleStrategy());

        final NatConfig nat = settings.natConfig();
        assertEquals(65536, nat.maxSessions());
        assertEquals(4194304, nat.maxMappings());
        assertEquals(262144, nat.maxClients());
        assertEquals(2, settings.forwarderConfig().ports().size());

        assertEquals(new AfPacketGeometry(1 << 20, 64, 2048, 1, 68 << 10, 1024, 68 << 10, true, true), settings.afPacket());
        assertEquals(new PcapGeometry(64 << 20, 2048, 1), settings.pcap());
        assertEquals(Map.of(CpuPinning.ThreadKind.RX, List.of(2, 3), CpuPinning.ThreadKind.TX, List.of(4, 5),
            CpuPinning.ThreadKind.WORKER, List.of(6, 7, 8, 9, 10, 11, 12, 13, 14, 15), CpuPinning.ThreadKind.CONTROL,
            List.of(0, 1)), settings.pinning().cpus());
        assertEquals(List.of(6), settings.pinning().cpusOfWorker(0));
        assertEquals(List.of(15), settings.pinning().cpusOfWorker(9));
    }

    @Test
    void shouldRefuseAProfileOverItsMemoryBudget() throws IOException
    {
        final Path file = writeProfile("tiny", """
            description: too many sessions for its budget
            memoryBudget: 16m
            tables:
              maxSessions: 1000000
            """);

        final ConfigException refused = assertThrows(ConfigException.class,
            () -> HardwareProfiles.directory(directory).get("tiny", null));

        assertEquals(file + ":2: memoryBudget=16m: tables 146.9 MiB + pipeline rings 9.1 MiB + backend rings 20.0 MiB " +
            "(2 ports) = 176.0 MiB exceed the memoryBudget 16m; shrink the tables or rings, or raise the budget",
            refused.getMessage());
        assertEquals(new Location(file.toString(), 2, "memoryBudget", "16m"), refused.location());
    }

    @Test
    void shouldBlameTheConfigsTableSizeWhenItBreaksTheProfilesBudget() throws IOException
    {
        final GatewayConfig config = loadConfig(example().replace("maxSessions: 65536", "maxSessions: 2000000"));

        assertEquals(directory.resolve("natgate.yaml") + ":" + maxSessionsLine() + ": nat.maxSessions=2000000: tables 203.0 MiB + pipeline " +
            "rings 11.1 MiB + backend rings 25.0 MiB (2 ports) = 239.1 MiB exceed the memoryBudget 64m of profile " +
            "small-2core (hw-profiles/small-2core.yaml:16); shrink the tables or rings, or raise the budget",
            assertThrows(ConfigException.class,
                () -> EffectiveSettings.resolve(config, null, TestHosts.SMALL_LINUX, builtin)).getMessage());
    }

    @Test
    void shouldRefuseInvalidProfileValuesNamingKeyAndLine() throws IOException
    {
        assertProfileRefused("burstSize: 5000\n",
            ":2: burstSize=5000: must be between 1 and 1024");
        assertProfileRefused("rings:\n  rx: 1000k\n",
            ":3: rings.rx=1000k: must be a power of two of at least 1024");
        assertProfileRefused("threading: fast\n",
            ":2: threading=fast: expected dedicated, shared-network, shared, run-to-completion or invoker");
        assertProfileRefused("idleStrategy: nap\n",
            ":2: idleStrategy=nap: expected busy-spin, yielding, backoff, noop or sleeping:<duration>");
        assertProfileRefused("workers: 0\n",
            ":2: workers=0: must be between 1 and 256");
        assertProfileRefused("afpacket:\n  blockSize: 100k\n",
            ":3: afpacket.blockSize=100k: rxBlockSizeBytes must be a power of two >= the page size 4096");
        assertProfileRefused("afpacket:\n  blockTimeout: 1500us\n",
            ":3: afpacket.blockTimeout=1500us: must be whole milliseconds");
        assertProfileRefused("tables:\n  maxSessions: 0\n",
            ":3: tables.maxSessions=0: must be between 1 and 67108864");
        assertProfileRefused("tables:\n  maxClients: lots\n",
            ":3: tables.maxClients=lots: expected a whole number");
        assertProfileRefused("rings: {rx: 1m, rxx: 1m}\n",
            ":2: rings.rxx=1m: unknown key (rings takes command, event, rx, tx)");
        assertProfileRefused("threading: shared-network\npinning: {rx: [0]}\n",
            ":3: pinning=rx=[0]: threading shared-network has no rx thread (it has worker, network, control)");
        assertProfileRefused("pinning: {worker: [1, 1]}\n",
            ":2: pinning.worker[1]=1: CPU listed twice");
        assertProfileRefused("pinning: all\n",
            ":2: pinning=all: expected none, or a mapping of thread kind (rx, tx, worker, network, shared, control) " +
            "to a list of CPU ids");
    }

    @Test
    void shouldRefuseBadAfXdpSettingsNamingKeyAndLine() throws IOException
    {
        assertProfileRefused("afxdp:\n  mode: fast\n",
            ":3: afxdp.mode=fast: expected copy, zero-copy or auto");
        assertProfileRefused("afxdp:\n  attach: driver\n",
            ":3: afxdp.attach=driver: expected native, skb or auto");
        assertProfileRefused("afxdp:\n  frameSize: 3000\n",
            ":3: afxdp.frameSize=3000: frameSizeBytes must be a power of two from 2048 to the page size 4096");
        assertProfileRefused("afxdp:\n  rxRing: 1000\n",
            ":3: afxdp.rxRing=1000: rxRingSize must be a power of two from 64 to 65536");
        assertProfileRefused("afxdp:\n  txRing: 4096\n",
            ":3: afxdp.txRing=4096: txRingSize must be <= completionRingSize 2048");
        assertProfileRefused("afxdp:\n  umemSize: 1m\n",
            ":3: afxdp.umemSize=1m: umemFrameCount must hold fillRingSize + txRingSize frames for each of 1 " +
            "socket(s), 4096");
    }

    @Test
    void shouldRefuseAnAfXdpPortWhoseFramesDoNotFitAChunk() throws IOException
    {
        final GatewayConfig jumbo = loadConfig(example().replace("    mtu: 1500 ", "    mtu: 1800 ")
            .replace("backend: afpacket ", "backend: afxdp    "));

        assertEquals(directory.resolve("natgate.yaml") + ":27: ports[0].mtu=1800: frames of up to 1818 bytes do not fit " +
            "an afxdp chunk of 1792 bytes (afxdp.frameSize=2k less 256 of kernel headroom) of profile small-2core " +
            "(default)",
            assertThrows(ConfigException.class,
                () -> EffectiveSettings.resolve(jumbo, null, TestHosts.SMALL_LINUX, builtin)).getMessage());
    }

    @Test
    void shouldRefusePinningCpusTheHostDoesNotHave() throws IOException
    {
        final EffectiveSettings settings = EffectiveSettings.resolve(exampleConfig(), "server-16core-10g",
            TestHosts.SMALL_LINUX, builtin);
        final Host tenCpus = new Host(OperatingSystem.LINUX, 10, 24L << 30);

        assertEquals("hw-profiles/server-16core-10g.yaml:" + profileLine("server-16core-10g", "pinning:") +
            ": pinning=rx=[2,3] tx=[4,5] worker=[6,7,8,9,10,11,12,13,14,15] control=[0,1]: pins CPU 15 but this host " +
            "has 10 (linux, 10 cpus, 24.0 GiB); choose a profile for this host",
            assertThrows(ConfigException.class, () -> settings.checkFits(tenCpus)).getMessage());
        assertDoesNotThrow(() -> EffectiveSettings.resolve(exampleConfig(), null, TestHosts.SMALL_LINUX, builtin)
            .checkFits(TestHosts.SMALL_LINUX));
        assertDoesNotThrow(() -> settings.checkFits(new Host(OperatingSystem.LINUX, 16, 16L << 30)));
    }

    @Test
    void shouldAcceptWorkersUpToTheCpusAvailable() throws IOException
    {
        writeProfile("two", "description: two workers\nworkers: 2  # one per CPU here\n" + PLAIN_FRAMES);
        final EffectiveSettings settings =
            EffectiveSettings.resolve(exampleConfig(), "two", TestHosts.SMALL_LINUX, HardwareProfiles.directory(directory));

        assertEquals(2, settings.pipelineConfig().workers());
        assertEquals(2, settings.workers());
        assertDoesNotThrow(() -> settings.checkFits(new Host(OperatingSystem.LINUX, 2, 24L << 30)));
        assertDoesNotThrow(() -> settings.checkFits(new Host(OperatingSystem.LINUX, 4, 24L << 30)));
        assertTrue(settings.fits(new Host(OperatingSystem.LINUX, 2, 24L << 30)));
    }

    @Test
    void shouldRefuseMoreWorkersThanCpusNamingKeyValueAndLine() throws IOException
    {
        final Path file =
            writeProfile("three", "description: three workers\nworkers: 3  # one per CPU\n" + PLAIN_FRAMES);
        final EffectiveSettings settings = EffectiveSettings.resolve(exampleConfig(), "three", TestHosts.SMALL_LINUX,
            HardwareProfiles.directory(directory));

        final ConfigException refused =
            assertThrows(ConfigException.class, () -> settings.checkFits(TestHosts.SMALL_LINUX));
        assertEquals(file + ":2: workers=3: 3 workers need as many CPUs but this host has 2 (linux, 2 cpus, " +
            "24.0 GiB); choose a profile for this host, or a profile file of your own (a copy of three) with workers " +
            "at most 2", refused.getMessage());
        assertEquals(new Location(file.toString(), 2, "workers", "3"), refused.location());
        assertEquals(false, settings.fits(TestHosts.SMALL_LINUX));
    }

    @Test
    void shouldAcceptSeveralWorkersRunningToCompletionOnAfpacketPortsAndRefuseThemOnAnotherBackend() throws IOException
    {
        final Path profile = writeProfile("rtc", "description: two workers to completion\nthreading: run-to-completion\n" +
            "workers: 2\n" + PLAIN_FRAMES);
        final GatewayConfig afPacket = loadConfig(example());
        final GatewayConfig pcap = loadConfig(example().replaceFirst("backend: afpacket", "backend: pcap"));

        final EffectiveSettings settings = EffectiveSettings.resolve(afPacket, "rtc", TestHosts.SMALL_LINUX,
            HardwareProfiles.directory(directory));
        assertEquals(2, settings.pipelineConfig().workers());
        final long socketRings = settings.afPacket().ringBytesPerPort();
        assertEquals(2 * afPacket.ports().size() * socketRings, settings.memory().backendBytes(),
            "each worker its own socket's rings on each port");
        final ConfigException refused = assertThrows(ConfigException.class, () -> EffectiveSettings.resolve(pcap,
            "rtc", TestHosts.SMALL_LINUX, HardwareProfiles.directory(directory)));
        assertTrue(refused.getMessage().startsWith(profile + ":3: workers=2: threading run-to-completion (" + profile +
            ":2) with several workers gives each worker its own socket on every device through AF_PACKET fanout, " +
            "and port "), refused.getMessage());
        assertTrue(refused.getMessage().endsWith(" is pcap; use backend afpacket, set workers: 1, or threading: " +
            "dedicated or shared-network"), refused.getMessage());
    }

    @Test
    void shouldRefuseAWorkerPinningWithoutOneCpuPerWorker() throws IOException
    {
        assertProfileRefused("workers: 3\npinning: {worker: [0, 1]}\n",
            ":3: pinning=worker=[0,1]: pinning.worker lists 2 CPUs for 3 workers (" + directory.resolve("bad.yaml") +
            ":2); list one CPU per worker: worker k runs on the k-th");
        assertProfileRefused("workers: 2\npinning: {worker: [0, 1, 2]}\n",
            ":3: pinning=worker=[0,1,2]: pinning.worker lists 3 CPUs for 2 workers (" + directory.resolve("bad.yaml") +
            ":2); list one CPU per worker: worker k runs on the k-th");
        writeProfile("pinned", "description: a worker per CPU\nworkers: 2\npinning: {worker: [1, 0]}\n");
        final CpuPinning pinning =
            (CpuPinning)HardwareProfiles.directory(directory).get("pinned", null).settings().get(ProfileKey.PINNING).value();
        assertEquals(List.of(1), pinning.cpusOfWorker(0));
        assertEquals(List.of(0), pinning.cpusOfWorker(1));
    }

    @Test
    void shouldRefuseAConfigsPortBlocksWithSeveralWorkers() throws IOException
    {
        writeProfile("two", "description: two workers\nworkers: 2  # one per CPU here\n" + PLAIN_FRAMES);
        final GatewayConfig blocks = loadConfig(example().replace("  # portBlocks:                    #",
            "  portBlocks:                      #").replace("  #   size: 512                    #",
            "    size: 512                      #"));

        final ConfigException refused = assertThrows(ConfigException.class, () -> EffectiveSettings.resolve(blocks,
            "two", TestHosts.SMALL_LINUX, HardwareProfiles.directory(directory)));
        assertTrue(refused.getMessage().contains("nat.portBlocks.size=512: port blocks and deterministic NAT run on " +
            "one worker only"), refused.getMessage());
        assertDoesNotThrow(() -> EffectiveSettings.resolve(blocks, "small-2core", TestHosts.SMALL_LINUX, builtin));
    }

    @Test
    void shouldRefuseAnHaPairWithSeveralWorkersNamingTheWorkersLine() throws IOException
    {
        final Path profile = writeProfile("two", "description: two workers\nworkers: 2  # one per CPU here\n" +
            PLAIN_FRAMES);
        final GatewayConfig paired = loadConfig(example() +
            "ha:\n  priority: 200\n  link: 192.0.2.1:7400\n  peer: 192.0.2.2:7400\n");

        final ConfigException refused = assertThrows(ConfigException.class, () -> EffectiveSettings.resolve(paired,
            "two", TestHosts.SMALL_LINUX, HardwareProfiles.directory(directory)));

        assertTrue(refused.getMessage().startsWith(profile + ":2: workers=2: an HA pair (ha: in "), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("runs with 1 worker for now: replication and takeover hold worker " +
            "0's engine (docs/workers.md); set workers: 1"), refused.getMessage());
        assertDoesNotThrow(() -> EffectiveSettings.resolve(paired, "small-2core", TestHosts.SMALL_LINUX, builtin));
    }

    @Test
    void shouldRefuseAPortWhoseFramesTheProfileCannotCarry() throws IOException
    {
        final GatewayConfig jumbo = loadConfig(example().replace("    mtu: 1500 ", "    mtu: 9000 "));
        writeProfile("plain", """
            description: afpacket without offloads, 2 KiB slots
            maxFrameLength: 2048   # MTU 1500 frames
            afpacket:
              offloads: false      # no virtio_net_hdr
            """);

        assertEquals(directory.resolve("natgate.yaml") + ":27: ports[0].mtu=9000: frames of up to 9018 bytes do not fit " +
            "an afpacket tx slot of 2000 bytes (afpacket.txFrameSize=2k less 48 of header) of profile plain " +
            "(default)",
            assertThrows(ConfigException.class, () -> EffectiveSettings.resolve(jumbo, "plain", TestHosts.SMALL_LINUX,
                HardwareProfiles.directory(directory))).getMessage());
    }

    @Test
    void shouldRefuseAnOffloadingPortWhoseTxSlotsCannotHoldAnAggregate() throws IOException
    {
        writeProfile("small-slots", """
            description: offloads with 2 KiB tx slots
            maxFrameLength: 65553  # aggregates
            afpacket:
              txFrameSize: 2048    # too small for a 64 KiB aggregate
            """);

        final ConfigException refused = assertThrows(ConfigException.class, () -> EffectiveSettings.resolve(
            exampleConfig(), "small-slots", TestHosts.SMALL_LINUX, HardwareProfiles.directory(directory)));
        assertTrue(refused.getMessage().contains("frames of up to 65553 bytes do not fit an afpacket tx slot of 1990 " +
            "bytes (afpacket.txFrameSize=2048 less 58 of header)"), refused.getMessage());
    }

    @Test
    void shouldCheckAProfileAloneForTwoPortsOnTheirCostliestBackend()
    {
        final EffectiveSettings settings = EffectiveSettings.of(builtin.get("small-2core", null));

        final MemoryEstimate memory = settings.memory();
        assertEquals(2, memory.ports());
        assertEquals(2 * settings.afPacket().ringBytesPerPort(), memory.backendBytes());
        assertEquals(MemoryEstimate.pipelineRingBytes(2 + 2, 1, 1 << 20, 1 << 20, 64 << 10, 1 << 20),
            memory.pipelineRingBytes(), "rings for the two ports and the provider interface and local port added");
        assertTrue(memory.fits());
        assertTrue(settings.gateway().isEmpty());
        assertThrows(IllegalStateException.class, settings::natConfig);
    }

    @Test
    void shouldCountAUmemShareForEveryQueueOfAnAfXdpPortInTheMemoryEstimate() throws IOException
    {
        final String afXdp = example().replace("backend: afpacket          #", "backend: afxdp             #")
            .replace("    backend: afpacket\n", "    backend: afxdp\n    queues: [0, 1, 2]\n");
        final EffectiveSettings settings = EffectiveSettings.resolve(loadConfig(afXdp), "small-2core",
            TestHosts.SMALL_LINUX, builtin);

        assertEquals((1 + 3) * settings.afXdp().umemBytesPerPort(), settings.memory().backendBytes());
    }

    @Test
    void shouldCountThePipelineRingsOfThePortsTheGatewayAddsInTheMemoryEstimate() throws IOException
    {
        final EffectiveSettings settings = EffectiveSettings.resolve(exampleConfig(), "small-2core",
            TestHosts.SMALL_LINUX, builtin);
        final int configured = settings.gateway().orElseThrow().ports().size();
        final int added = Math.max(1, settings.gateway().orElseThrow().providers().size()) + 1;

        assertEquals(MemoryEstimate.pipelineRingBytes(configured + added, 1, 1 << 20, 1 << 20, 64 << 10, 1 << 20),
            settings.memory().pipelineRingBytes());
    }

    @Test
    void shouldCountEveryWorkersRingsAndPortBitmapsInTheMemoryEstimate() throws IOException
    {
        // power-of-two tables: two halves take what the whole does, so only the second worker's own parts remain
        final String tables = PLAIN_FRAMES + "tables:\n  maxSessions: 65536  # sessions\n  maxMappings: 65536  # mappings\n" +
            "  maxClients: 4096  # clients\n";
        writeProfile("one", "description: one worker\nworkers: 1  # one\n" + tables);
        writeProfile("two", "description: two workers\nworkers: 2  # two\n" + tables);
        final HardwareProfiles profiles = HardwareProfiles.directory(directory);
        final MemoryEstimate one = EffectiveSettings.resolve(exampleConfig(), "one", TestHosts.SMALL_LINUX, profiles)
            .memory();
        final MemoryEstimate two = EffectiveSettings.resolve(exampleConfig(), "two", TestHosts.SMALL_LINUX, profiles)
            .memory();

        final long trailer = RingBufferDescriptor.TRAILER_LENGTH;
        final long rx = (1 << 20) + trailer;
        final long tx = (1 << 20) + trailer;
        final long command = (64 << 10) + trailer;
        final long event = (1 << 20) + trailer;
        final int ports = one.ports() + Math.max(1, exampleConfig().providers().size()) + 1;
        final long secondWorkersRings = ports * (rx + tx) + command + event;
        final long handoffRings = 2 * rx;
        assertEquals(secondWorkersRings + handoffRings, two.pipelineRingBytes() - one.pipelineRingBytes());

        final int publicAddresses = exampleConfig().publicAddressCount();
        // TCP, UDP and ICMP: 65,536 bits and a cursor each per public address, and a count of ports in use
        final long secondWorkersPortBitmaps = publicAddresses * (3L * (65_536 / 8 + 4) + 4);
        final long secondWorkersSessionArrayOffset = 6 * 8; // its records start a cache line into their array
        assertEquals(secondWorkersPortBitmaps + secondWorkersSessionArrayOffset, two.tableBytes() - one.tableBytes());
        assertEquals(one.backendBytes(), two.backendBytes());
        assertEquals(2, two.workers());
        assertTrue(two.totalBytes() > one.totalBytes());
    }

    private static int profileLine(final String profile, final String prefix) throws IOException
    {
        final List<String> lines =
            Files.readAllLines(TestHosts.repositoryFile("hw-profiles/" + profile + ".yaml"));
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).startsWith(prefix))
            {
                return i + 1;
            }
        }
        throw new AssertionError(profile + " has no line " + prefix);
    }

    private void assertProfileRefused(final String settings, final String expectedAfterFile) throws IOException
    {
        final Path file = writeProfile("bad", "description: a bad profile\n" + settings);
        assertEquals(file + expectedAfterFile, assertThrows(ConfigException.class,
            () -> HardwareProfiles.directory(directory).get("bad", null)).getMessage());
    }

    private Path writeProfile(final String name, final String text) throws IOException
    {
        return Files.writeString(directory.resolve(name + ".yaml"), text);
    }

    private GatewayConfig exampleConfig() throws IOException
    {
        return loadConfig(example());
    }

    private GatewayConfig loadConfig(final String text) throws IOException
    {
        final Path sysfs = TestHosts.labInterfaces(directory.resolve("sys"));
        return TestHosts.linuxLoader(sysfs).load(Files.writeString(directory.resolve("natgate.yaml"), text));
    }

    private static String example() throws IOException
    {
        return Files.readString(TestHosts.repositoryFile("config/natgate.example.yaml"));
    }

    /**
     * @return the example config's line of {@code nat.maxSessions}, read from the file, so the expected location
     * follows the file and not a number copied from it.
     */
    private int maxSessionsLine() throws IOException
    {
        final java.util.List<String> lines = example().lines().toList();
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).startsWith("  maxSessions:"))
            {
                return i + 1;
            }
        }
        throw new AssertionError("the example config has no nat.maxSessions line");
    }
}
