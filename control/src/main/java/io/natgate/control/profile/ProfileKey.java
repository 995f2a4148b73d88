package io.natgate.control.profile;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afxdp.XdpAttach;
import io.natgate.bindings.afxdp.XdpMode;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.pcap.PcapOptions;
import io.natgate.control.config.ConfigNode;
import io.natgate.control.config.Units;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.pipeline.PipelineConfig;
import io.natgate.datapath.pipeline.ThreadingMode;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every setting of a hardware profile: its key path in the profile file, its kind, its built-in
 * default (the datapath's and the bindings' own defaults, so there is one of each), the name the
 * datapath or bindings give it in their errors, and what it trades off (shown by
 * {@code natgate profiles show} and tabled in {@code hw-profiles/README.md}).
 */
public enum ProfileKey
{
    MEMORY_BUDGET("memoryBudget", Kind.SIZE, 256L << 20, 1L << 20, 1L << 40, null,
        "Ceiling for the tables and rings together, checked before anything starts: over it the profile " +
        "(or the config's table sizes) is refused rather than paging or failing mid-run. Keep it below what " +
        "the host can spare beside the JVM."),

    RX_RING("rings.rx", Kind.SIZE, PipelineConfig.RX_RING_CAPACITY_DEFAULT, 0, Integer.MAX_VALUE,
        PipelineConfig.RX_RING_CAPACITY_PROP_NAME,
        "Bytes of frames queued from each port's rx agent to each worker (power of two, at least 8 frames; a " +
        "ring per port and worker, and with several workers a handoff ring this size each). " +
        "Larger rides out bursts and worker stalls without drops; smaller stays in cache and bounds queueing delay."),
    TX_RING("rings.tx", Kind.SIZE, PipelineConfig.TX_RING_CAPACITY_DEFAULT, 0, Integer.MAX_VALUE,
        PipelineConfig.TX_RING_CAPACITY_PROP_NAME,
        "Bytes of frames queued from each worker to each port's tx agent (power of two; a ring per worker and " +
        "port). Larger rides out a " +
        "slow link or backend; smaller bounds delay and memory."),
    COMMAND_RING("rings.command", Kind.SIZE, PipelineConfig.COMMAND_RING_CAPACITY_DEFAULT, 0, Integer.MAX_VALUE,
        PipelineConfig.COMMAND_RING_CAPACITY_PROP_NAME,
        "Bytes of control-plane commands (port forwards, PCP grants, private sessions) waiting for a worker " +
        "(a ring per worker). " +
        "Larger takes bigger command storms; commands are small, so it can stay small."),
    EVENT_RING("rings.event", Kind.SIZE, PipelineConfig.EVENT_RING_CAPACITY_DEFAULT, 0, Integer.MAX_VALUE,
        PipelineConfig.EVENT_RING_CAPACITY_PROP_NAME,
        "Bytes of NAT events waiting for the journal (a ring per worker). Too small and events are dropped " +
        "(and counted) while " +
        "the disk stalls; larger costs only memory."),
    BURST_SIZE("burstSize", Kind.COUNT, PipelineConfig.BURST_SIZE_DEFAULT, Integer.MIN_VALUE, Integer.MAX_VALUE,
        PipelineConfig.BURST_SIZE_PROP_NAME,
        "Frames an agent takes per duty cycle (1..1024). Larger spreads per-burst costs (ring, syscall) over " +
        "more frames for throughput; smaller lowers latency and the cache footprint."),
    COMMAND_LIMIT("commandLimit", Kind.COUNT, PipelineConfig.COMMAND_LIMIT_DEFAULT, Integer.MIN_VALUE, Integer.MAX_VALUE,
        PipelineConfig.COMMAND_LIMIT_PROP_NAME,
        "Commands a worker applies per duty cycle at most. Higher drains command storms sooner; lower keeps " +
        "them from delaying traffic."),
    MAX_FRAME_LENGTH("maxFrameLength", Kind.SIZE, PipelineConfig.MAX_FRAME_LENGTH_DEFAULT, 0, Integer.MAX_VALUE,
        PipelineConfig.MAX_FRAME_LENGTH_PROP_NAME,
        "Largest frame carried, link header included; must cover every port's MTU + 18. Larger allows jumbo " +
        "frames; every ring holds fewer frames per byte and the rings must be at least 8 frames."),
    WORKERS("workers", Kind.COUNT, PipelineConfig.WORKERS_DEFAULT, Integer.MIN_VALUE, Integer.MAX_VALUE,
        PipelineConfig.WORKERS_PROP_NAME,
        "Worker threads running the NAT, 1 to the CPUs available. Each owns a range of the public ports and a " +
        "share of the tables, and a client lives on one: more scale with cores at the price of a thread, rings " +
        "and port bitmaps each. More than 1 needs threading dedicated or shared-network."),
    THREADING("threading", Kind.THREADING, PipelineConfig.THREADING_MODE_DEFAULT, 0, 0,
        PipelineConfig.THREADING_MODE_PROP_NAME,
        "dedicated: a thread per agent (2 per port, the configured ones and those the gateway adds: one per " +
        "traversal provider, at least one, and its local port; + one per worker; lowest latency, needs the cores); " +
        "shared-network: every port's rx and tx on one thread beside the workers (workers + 1 threads); shared: one " +
        "thread for all (fits 1 core, least throughput); run-to-completion: one thread receives, processes " +
        "frames where they lie and writes each once into its egress slot (one copy, no rings; 1 worker only); " +
        "invoker: no threads, the caller drives (tests)."),
    IDLE_STRATEGY("idleStrategy", Kind.IDLE_STRATEGY, PipelineConfig.IDLE_STRATEGY_DEFAULT, 0, 0,
        PipelineConfig.IDLE_STRATEGY_PROP_NAME,
        "What an agent with no work does: busy-spin (lowest latency, burns a core per thread), yielding, " +
        "backoff (spin, yield, then park: the balance), noop, or sleeping:<duration> (least CPU, adds up to " +
        "that much latency)."),
    PINNING("pinning", Kind.PINNING, CpuPinning.NONE, 0, 0, null,
        "CPUs each kind of thread is pinned to, or none (the OS schedules); with several workers, worker lists " +
        "one CPU per worker (worker k on the k-th). Pinning to dedicated, isolated cores avoids migrations and " +
        "cache loss; on a small or shared host it makes threads contend."),

    AFPACKET_BLOCK_SIZE("afpacket.blockSize", Kind.SIZE, PacketSocketOptions.DEFAULT_RX_BLOCK_SIZE_BYTES, 0,
        Integer.MAX_VALUE, "rxBlockSizeBytes",
        "AF_PACKET rx block (power of two, at least a page). The kernel hands over a block when it is full or " +
        "timed out: larger blocks mean fewer hand-overs at high rates and more memory."),
    AFPACKET_BLOCK_COUNT("afpacket.blockCount", Kind.COUNT, PacketSocketOptions.DEFAULT_RX_BLOCK_COUNT, 1,
        Integer.MAX_VALUE, "rxBlockCount",
        "Rx blocks per port: blockSize x blockCount is the kernel ring that absorbs bursts while natgate is " +
        "busy. More absorbs longer stalls; it is memory the kernel pins."),
    AFPACKET_FRAME_SIZE("afpacket.frameSize", Kind.SIZE, PacketSocketOptions.DEFAULT_RX_FRAME_SIZE_BYTES, 0,
        Integer.MAX_VALUE, "rxFrameSizeBytes",
        "Nominal rx frame slot (multiple of 16). TPACKET_V3 packs frames by their real size, so this only sets " +
        "the kernel's frame accounting; keep it near maxFrameLength."),
    AFPACKET_BLOCK_TIMEOUT("afpacket.blockTimeout", Kind.DURATION, TimeUnit.MILLISECONDS.toNanos(
        PacketSocketOptions.DEFAULT_BLOCK_TIMEOUT_MS), TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(60),
        "blockTimeoutMs",
        "How long the kernel keeps a partly filled rx block (whole milliseconds): the latency floor at low " +
        "rates. Shorter means lower latency and more wake-ups."),
    AFPACKET_TX_FRAME_SIZE("afpacket.txFrameSize", Kind.SIZE, PacketSocketOptions.DEFAULT_TX_FRAME_SIZE_BYTES, 0,
        Integer.MAX_VALUE, "txFrameSizeBytes",
        "Tx ring slot: a frame plus the TPACKET header (multiple of 16); must hold maxFrameLength. Larger " +
        "wastes memory per slot."),
    AFPACKET_TX_FRAME_COUNT("afpacket.txFrameCount", Kind.COUNT, PacketSocketOptions.DEFAULT_TX_FRAME_COUNT, 1,
        Integer.MAX_VALUE, "txFrameCount",
        "Tx slots per port: more lets one send call flush more frames and ride out a busy link; costs memory."),
    AFPACKET_TX_BLOCK_SIZE("afpacket.txBlockSize", Kind.SIZE, PacketSocketOptions.DEFAULT_TX_BLOCK_SIZE_BYTES, 0,
        Integer.MAX_VALUE, "txBlockSizeBytes",
        "Tx block: a multiple of the page size and of txFrameSize. Only the ring's layout; rarely worth changing."),
    AFPACKET_OFFLOADS("afpacket.offloads", Kind.FLAG, Boolean.TRUE, 0, 0, "vnetHeader",
        "Offloads through virtio_net_hdr (PACKET_VNET_HDR): checksum-partial frames and GSO/GRO aggregates of " +
        "up to 64 KiB are translated once and leave whole, the kernel or NIC finishing them. Needs " +
        "maxFrameLength and txFrameSize to hold 64 KiB frames (65553 bytes); false works with 2 KiB slots " +
        "but then peers' TSO and checksum offload reach natgate unfinished and are dropped."),
    AFPACKET_GRO("afpacket.gro", Kind.FLAG, Boolean.TRUE, 0, 0, null,
        "With offloads, turn GRO on for natgate's afpacket interfaces where the device has it (logged), so " +
        "the kernel aggregates what arrives and natgate translates one frame per aggregate; false leaves " +
        "the interface's setting alone."),

    AFXDP_MODE("afxdp.mode", Kind.XDP_MODE, XdpMode.AUTO, 0, 0, null,
        "copy: the kernel copies frames into and out of the UMEM (every driver, veth included); zero-copy: the " +
        "NIC DMAs into the UMEM (drivers with AF_XDP zero-copy only, refused elsewhere); auto: zero-copy where " +
        "the driver has it."),
    AFXDP_ATTACH("afxdp.attach", Kind.XDP_ATTACH, XdpAttach.NATIVE, 0, 0, null,
        "Where libxdp's redirect program runs: native (in the driver, before an skb exists: fastest; on veth the " +
        "kernel then turns off the peer's TSO, so TCP arrives in MTU-sized segments), skb (generic XDP, every " +
        "device, slower) or auto (native where the driver has it)."),
    AFXDP_FRAME_SIZE("afxdp.frameSize", Kind.SIZE, XdpSocketOptions.DEFAULT_FRAME_SIZE_BYTES, 0, Integer.MAX_VALUE,
        "frameSizeBytes",
        "UMEM chunk (power of two, 2048 to the page size); a frame gets the chunk less 256 bytes of kernel " +
        "headroom, so it must hold maxFrameLength. Larger allows jumbo frames and costs memory per frame."),
    AFXDP_UMEM_SIZE("afxdp.umemSize", Kind.SIZE, (long)XdpSocketOptions.DEFAULT_UMEM_FRAME_COUNT *
        XdpSocketOptions.DEFAULT_FRAME_SIZE_BYTES, 0, Integer.MAX_VALUE, "umemFrameCount",
        "UMEM per port: frameSize chunks, at least fillRing + txRing of them. More chunks ride out longer " +
        "bursts; it is memory the kernel pins."),
    AFXDP_RX_RING("afxdp.rxRing", Kind.COUNT, XdpSocketOptions.DEFAULT_RING_SIZE, 0, Integer.MAX_VALUE, "rxRingSize",
        "Rx descriptors (power of two, 64..65536): frames received and not yet taken by natgate. More absorbs " +
        "longer stalls; fewer stays in cache."),
    AFXDP_TX_RING("afxdp.txRing", Kind.COUNT, XdpSocketOptions.DEFAULT_RING_SIZE, 0, Integer.MAX_VALUE, "txRingSize",
        "Tx descriptors and the chunks kept for sending (power of two): more lets one kick send more and ride " +
        "out a busy link."),
    AFXDP_FILL_RING("afxdp.fillRing", Kind.COUNT, XdpSocketOptions.DEFAULT_RING_SIZE, 0, Integer.MAX_VALUE,
        "fillRingSize",
        "Chunks offered to the kernel for receiving (power of two): fewer and a burst finds the fill ring empty " +
        "(counted as rx drops)."),
    AFXDP_COMPLETION_RING("afxdp.completionRing", Kind.COUNT, XdpSocketOptions.DEFAULT_RING_SIZE, 0,
        Integer.MAX_VALUE, "completionRingSize",
        "Sent chunks the kernel hands back (power of two, at least txRing); rarely worth changing."),

    PCAP_BUFFER_SIZE("pcap.bufferSize", Kind.SIZE, PcapOptions.DEFAULT_BUFFER_SIZE_BYTES, 0, Integer.MAX_VALUE,
        "bufferSizeBytes",
        "Kernel (or Npcap driver) capture buffer per port. Larger absorbs bursts while natgate is busy; it is " +
        "kernel memory."),
    PCAP_SNAP_LENGTH("pcap.snapLength", Kind.SIZE, PcapOptions.DEFAULT_SNAP_LENGTH, 0, Integer.MAX_VALUE,
        "snapLength",
        "Bytes kept of each frame; at least maxFrameLength or frames are cut. In immediate mode each buffer " +
        "slot is this large, so a smaller snap fits more frames in bufferSize."),
    PCAP_TIMEOUT("pcap.timeout", Kind.DURATION, TimeUnit.MILLISECONDS.toNanos(PcapOptions.DEFAULT_TIMEOUT_MS), 0,
        TimeUnit.SECONDS.toNanos(60), "timeoutMs",
        "Read timeout (whole milliseconds) when frames are batched rather than delivered at once: shorter " +
        "lowers delay and raises wake-ups."),

    WINDIVERT_BATCH_SIZE("windivert.batchSize", Kind.COUNT, 64, 1, 255, null,
        "Packets per WinDivert receive or send call (1..255). Larger spreads the driver round trip over more " +
        "packets; smaller lowers latency."),
    WINDIVERT_QUEUE_LENGTH("windivert.queueLength", Kind.COUNT, 4096, 32, 16384, null,
        "Packets the driver queues for natgate before dropping (32..16384): more absorbs stalls."),
    WINDIVERT_QUEUE_TIME("windivert.queueTime", Kind.DURATION, TimeUnit.SECONDS.toNanos(2),
        TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.SECONDS.toNanos(16), null,
        "How long a queued packet may wait before the driver drops it (100ms..16s): longer absorbs stalls, " +
        "shorter drops stale packets."),
    WINDIVERT_QUEUE_SIZE("windivert.queueSize", Kind.SIZE, 4L << 20, 65535, 32L << 20, null,
        "Bytes the driver queues (65535..32m): more absorbs stalls; it is kernel memory."),

    MAX_SESSIONS("tables.maxSessions", Kind.COUNT, NatConfig.MAX_SESSIONS_DEFAULT, Integer.MIN_VALUE,
        Integer.MAX_VALUE, NatConfig.MAX_SESSIONS,
        "Session table capacity, preallocated (120 to 150 bytes a session with its mapping and indexes). More " +
        "serves more flows at once; costs memory up front and more cache misses per lookup."),
    MAX_MAPPINGS("tables.maxMappings", Kind.COUNT, NatConfig.MAX_MAPPINGS_DEFAULT, Integer.MIN_VALUE,
        Integer.MAX_VALUE, NatConfig.MAX_MAPPINGS,
        "Mapping table capacity (0: as many as sessions). Sessions to many remotes share one mapping, so " +
        "fewer mappings than sessions saves memory when clients talk to many peers."),
    MAX_CLIENTS("tables.maxClients", Kind.COUNT, NatConfig.MAX_CLIENTS_DEFAULT, Integer.MIN_VALUE,
        Integer.MAX_VALUE, NatConfig.MAX_CLIENTS,
        "Inside hosts tracked for the per-client quotas; a client beyond it gets no mapping. 16 bytes and an " +
        "index slot or two each.");

    /** The kinds of value a key holds, each read and written one way. */
    enum Kind
    {
        /** Bytes, a Long: 65536, 64k, 1m. */
        SIZE,
        /** A whole number, a Long. */
        COUNT,
        /** Nanoseconds, a Long: 90s, 1ms. */
        DURATION,
        /** A {@link ThreadingMode}. */
        THREADING,
        /** An idle strategy name, a String, checked by the pipeline. */
        IDLE_STRATEGY,
        /** A {@link CpuPinning}. */
        PINNING,
        /** An {@link XdpMode}. */
        XDP_MODE,
        /** An {@link XdpAttach}. */
        XDP_ATTACH,
        /** true or false, a Boolean. */
        FLAG
    }

    private static final Map<String, ThreadingMode> THREADING_MODES =
        ConfigNode.choices(ThreadingMode.values(), ThreadingMode::configName);
    private static final Map<String, XdpMode> XDP_MODES = ConfigNode.choices(XdpMode.values(), XdpMode::configName);
    private static final Map<String, XdpAttach> XDP_ATTACHES =
        ConfigNode.choices(XdpAttach.values(), XdpAttach::configName);

    private final String path;
    private final Kind kind;
    private final Object defaultValue;
    private final long min;
    private final long max;
    private final String engineKey;
    private final String tradeOff;

    ProfileKey(
        final String path, final Kind kind, final Object defaultValue, final long min, final long max,
        final String engineKey, final String tradeOff)
    {
        this.path = path;
        this.kind = kind;
        this.defaultValue = defaultValue instanceof Integer value ? Long.valueOf(value) : defaultValue;
        this.min = min;
        this.max = max;
        this.engineKey = engineKey;
        this.tradeOff = tradeOff;
    }

    /**
     * @return the key's path in a profile file, e.g. {@code rings.rx}.
     */
    public String path()
    {
        return path;
    }

    /**
     * @return the built-in value: a Long (size, count, nanoseconds), a ThreadingMode, a String or a CpuPinning.
     */
    public Object defaultValue()
    {
        return defaultValue;
    }

    /**
     * @return the name the datapath or the bindings give this setting in their errors, or null.
     */
    public String engineKey()
    {
        return engineKey;
    }

    /**
     * @return what the setting trades off, a sentence or three.
     */
    public String tradeOff()
    {
        return tradeOff;
    }

    /**
     * @return the value as a profile file would write it.
     */
    public String format(final Object value)
    {
        return switch (kind)
        {
            case SIZE -> Units.formatSize((Long)value);
            case DURATION -> Units.formatDuration((Long)value);
            case THREADING -> ((ThreadingMode)value).configName();
            case XDP_MODE -> ((XdpMode)value).configName();
            case XDP_ATTACH -> ((XdpAttach)value).configName();
            case COUNT, IDLE_STRATEGY, PINNING, FLAG -> String.valueOf(value);
        };
    }

    /**
     * Reads this key's value; ranges wider than this key's own are left to the datapath's checks.
     */
    Object parse(final ConfigNode node)
    {
        return switch (kind)
        {
            case SIZE -> node.asSize(min, max);
            case COUNT -> node.asLong(min, max);
            case DURATION ->
            {
                final long valueNs = node.asDurationNs(min, max);
                if (engineKey != null && engineKey.endsWith("Ms") && valueNs % TimeUnit.MILLISECONDS.toNanos(1) != 0)
                {
                    throw node.error("must be whole milliseconds");
                }
                yield valueNs;
            }
            case THREADING -> node.asChoice(THREADING_MODES);
            case IDLE_STRATEGY -> node.asText();
            case PINNING -> CpuPinning.parse(node);
            case XDP_MODE -> node.asChoice(XDP_MODES);
            case XDP_ATTACH -> node.asChoice(XDP_ATTACHES);
            case FLAG -> node.asBoolean();
        };
    }

    /**
     * @return the key with this path, or null.
     */
    static ProfileKey byPath(final String path)
    {
        for (final ProfileKey key : values())
        {
            if (key.path.equals(path))
            {
                return key;
            }
        }
        return null;
    }

    /**
     * @return the key the datapath or bindings call {@code engineKey}, or null.
     */
    static ProfileKey byEngineKey(final String engineKey)
    {
        for (final ProfileKey key : values())
        {
            if (engineKey.equals(key.engineKey))
            {
                return key;
            }
        }
        return null;
    }
}
