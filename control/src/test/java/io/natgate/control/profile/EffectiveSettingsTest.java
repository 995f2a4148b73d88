package io.natgate.control.profile;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.GatewayConfig;
import io.natgate.control.config.Location;
import io.natgate.control.testing.TestHosts;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;
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
        assertEquals(16 << 20, pipeline.rxRingCapacity());
        assertEquals(64, pipeline.burstSize());
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
            CpuPinning.ThreadKind.WORKER, List.of(6), CpuPinning.ThreadKind.CONTROL, List.of(0, 1)),
            settings.pinning().cpus());
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
        assertProfileRefused("workers: 4\n",
            ":2: workers=4: the gateway runs 1 worker for now: the datapath's pipeline runs several, the control " +
            "plane over them is not built yet (docs/workers.md)");
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

        assertEquals("hw-profiles/server-16core-10g.yaml:28: pinning=rx=[2,3] tx=[4,5] worker=[6] control=[0,1]: pins CPU 6 but this host has 2 " +
            "(linux, 2 cpus, 24.0 GiB); choose a profile for this host",
            assertThrows(ConfigException.class, () -> settings.checkFits(TestHosts.SMALL_LINUX)).getMessage());
        assertDoesNotThrow(() -> EffectiveSettings.resolve(exampleConfig(), null, TestHosts.SMALL_LINUX, builtin)
            .checkFits(TestHosts.SMALL_LINUX));
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
        assertEquals(MemoryEstimate.pipelineRingBytes(2 + 2, 1 << 20, 1 << 20, 64 << 10, 1 << 20),
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

        assertEquals(MemoryEstimate.pipelineRingBytes(configured + added, 1 << 20, 1 << 20, 64 << 10, 1 << 20),
            settings.memory().pipelineRingBytes());
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
