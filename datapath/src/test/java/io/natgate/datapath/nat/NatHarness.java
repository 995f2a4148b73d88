package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.natgate.datapath.testing.Packets.icmpError;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A NAT engine under test with its counters and a recording event listener, driven with an
 * injected clock (every call takes {@code nowNs}). Packets go through in place, each in a buffer
 * of exactly its length so that any read past the packet fails the test. With several workers
 * ({@link NatWorkers}) packets are steered to the worker that owns their flow; {@link #engine} and
 * {@link #counters} are then worker 0's, and {@link #counter} sums every worker's.
 */
final class NatHarness
{
    static final int INSIDE = 0;
    static final int OUTSIDE = 1;

    static final long SECOND_NS = TimeUnit.SECONDS.toNanos(1);
    static final long MINUTE_NS = TimeUnit.MINUTES.toNanos(1);

    static final String PUBLIC = "203.0.113.1";
    /*
     * The hosts are ones whose worker owns the ports the tests preserve (5000, 123: worker 0 of 1, 2 and 4,
     * see WorkerSteering.insideWorker and WorkerPorts), so the behaviour tests expect the same bytes
     * whatever the worker count; WorkerSteeringTest covers hosts on different workers.
     */
    static final String HOST_A = "10.0.0.8";
    static final String HOST_B = "10.0.0.14";
    static final String REMOTE_1 = "198.51.100.7";
    static final String REMOTE_2 = "198.51.100.8";
    static final String ROUTER = "192.0.2.254";
    /** An inside host that only takes public ports from others in tests of allocation. */
    static final String PORT_TAKER = "10.0.0.240";
    static final byte[] PAYLOAD = {1, 2, 3, 4, 5, 6, 7};

    final NatWorkers workers;
    final NatEngine engine;
    final DatapathCounters counters;
    final DatapathCounters[] workerCounters;
    final DatapathCounters steeringCounters = new DatapathCounters(2);
    final RecordingEvents events = new RecordingEvents();

    NatHarness(final NatConfig config)
    {
        this(config, 1);
    }

    NatHarness(final NatConfig config, final int workerCount)
    {
        workerCounters = new DatapathCounters[workerCount];
        for (int worker = 0; worker < workerCount; worker++)
        {
            workerCounters[worker] = new DatapathCounters(2);
        }
        workers = new NatWorkers(config, events, workerCounters, steeringCounters);
        engine = workers.engine(0);
        counters = workerCounters[0];
    }

    /**
     * An engine with one public address {@link #PUBLIC} and otherwise the defaults.
     */
    NatHarness()
    {
        this(config());
    }

    /**
     * {@code workerCount} workers with one public address {@link #PUBLIC} and otherwise the defaults.
     */
    NatHarness(final int workerCount)
    {
        this(config(), workerCount);
    }

    /**
     * @return {@code counter} summed over every worker.
     */
    long counter(final GlobalCounter counter)
    {
        long sum = steeringCounters.get(counter);
        for (final DatapathCounters workerCounter : workerCounters)
        {
            sum += workerCounter.get(counter);
        }
        return sum;
    }

    /**
     * @return drops for {@code reason} on {@code port}, summed over every worker and the steering.
     */
    long counter(final int port, final DropReason reason)
    {
        long sum = steeringCounters.get(port, reason);
        for (final DatapathCounters workerCounter : workerCounters)
        {
            sum += workerCounter.get(port, reason);
        }
        return sum;
    }

    static NatConfig config()
    {
        return new NatConfig().publicAddresses(ip(PUBLIC));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Packets through the engine
    // ------------------------------------------------------------------------------------------------------------

    int outbound(final byte[] packet, final long nowNs)
    {
        return workers.outbound(new UnsafeBuffer(packet), 0, packet.length, INSIDE, nowNs);
    }

    int inbound(final byte[] packet, final long nowNs)
    {
        return workers.inbound(new UnsafeBuffer(packet), 0, packet.length, OUTSIDE, nowNs);
    }

    /**
     * Sends a copy of {@code packet} from inside, expecting it forwarded.
     *
     * @return the translated copy, its checksums verified from scratch.
     */
    byte[] out(final byte[] packet, final long nowNs)
    {
        return translated(packet, nowNs, true, NatEngine.FORWARD);
    }

    /**
     * Sends a copy of {@code packet} from outside, expecting it forwarded.
     */
    byte[] in(final byte[] packet, final long nowNs)
    {
        return translated(packet, nowNs, false, NatEngine.FORWARD);
    }

    /**
     * Sends a copy of {@code packet} from inside to a public endpoint, expecting it hairpinned.
     */
    byte[] hairpin(final byte[] packet, final long nowNs)
    {
        return translated(packet, nowNs, true, NatEngine.HAIRPIN);
    }

    void assertOut(final byte[] packet, final byte[] expected, final long nowNs)
    {
        assertArrayEquals(expected, out(packet, nowNs), "translated outbound bytes");
    }

    void assertIn(final byte[] packet, final byte[] expected, final long nowNs)
    {
        assertArrayEquals(expected, in(packet, nowNs), "translated inbound bytes");
    }

    void assertHairpin(final byte[] packet, final byte[] expected, final long nowNs)
    {
        assertArrayEquals(expected, hairpin(packet, nowNs), "hairpinned bytes");
    }

    /**
     * Sends a hairpinned datagram's three fragments last first: the last is held, the first hairpinned,
     * the held one released and hairpinned, then the middle one; each compared with {@code expected}.
     */
    void assertHairpinsFragmentsOutOfOrder(final byte[][] fragments, final byte[][] expected)
    {
        assertEquals(3, fragments.length);
        assertEquals(NatEngine.HELD, outbound(fragments[2].clone(), 1));
        assertHairpin(fragments[0], expected[0], 2);
        final List<byte[]> released = releasedFragments();
        assertEquals(1, released.size(), "the held fragment is released");
        assertHairpin(released.getFirst(), expected[2], 3);
        assertHairpin(fragments[1], expected[1], 3);
    }

    /**
     * Asserts that a UDP datagram from an inside endpoint leaves from {@code publicPort} of {@link #PUBLIC},
     * byte for byte.
     */
    void assertUdpOut(
        final String inside, final int insidePort, final String remote, final int remotePort, final int publicPort,
        final long nowNs)
    {
        assertOut(udp(inside, insidePort, remote, remotePort, PAYLOAD),
            udp(PUBLIC, publicPort, remote, remotePort, PAYLOAD), nowNs);
    }

    /**
     * Asserts that a UDP datagram from a remote endpoint to {@code publicPort} of {@link #PUBLIC} reaches
     * the inside endpoint, byte for byte.
     */
    void assertUdpIn(
        final String remote, final int remotePort, final int publicPort, final String inside, final int insidePort,
        final long nowNs)
    {
        assertIn(udp(remote, remotePort, PUBLIC, publicPort, PAYLOAD),
            udp(remote, remotePort, inside, insidePort, PAYLOAD), nowNs);
    }

    /**
     * Asserts that a TCP segment with {@code flags} from an inside endpoint leaves from {@code publicPort}
     * of {@link #PUBLIC}, byte for byte.
     */
    void assertTcpOut(
        final String inside, final int insidePort, final String remote, final int remotePort, final int publicPort,
        final int flags, final long nowNs)
    {
        assertOut(tcp(inside, insidePort, remote, remotePort, flags, PAYLOAD),
            tcp(PUBLIC, publicPort, remote, remotePort, flags, PAYLOAD), nowNs);
    }

    /**
     * Asserts that a TCP segment with {@code flags} from a remote endpoint to {@code publicPort} of
     * {@link #PUBLIC} reaches the inside endpoint, byte for byte.
     */
    void assertTcpIn(
        final String remote, final int remotePort, final int publicPort, final String inside, final int insidePort,
        final int flags, final long nowNs)
    {
        assertIn(tcp(remote, remotePort, PUBLIC, publicPort, flags, PAYLOAD),
            tcp(remote, remotePort, inside, insidePort, flags, PAYLOAD), nowNs);
    }

    /**
     * Sends {@code packet} after the same packet from another inside host has taken the public port,
     * so that the packet's public port is allocated rather than preserved.
     *
     * @return the translated packet.
     */
    byte[] outWithPortTaken(final byte[] packet, final long nowNs)
    {
        out(Packets.withSourceAddress(packet, ip(PORT_TAKER)), nowNs);
        final byte[] translated = out(packet, nowNs);
        assertNotEquals(Packets.sourcePort(packet), Packets.protocol(packet) == 1 ?
            Packets.icmpIdentifier(translated) : Packets.sourcePort(translated), "allocated, not preserved");
        return translated;
    }

    /**
     * Asserts that an ICMP error {@code sender} sends about {@code sent} (a packet as it left the NAT)
     * comes in as the error about {@code original} (the packet as its inside host sent it), quoting
     * {@code quotedLength} bytes, byte for byte, the quoted packet's checksums verifying too.
     */
    void assertErrorIn(
        final String sender, final int type, final int code, final byte[] sent, final byte[] original,
        final int quotedLength, final long nowNs)
    {
        final byte[] translated = in(
            icmpError(ip(sender), Packets.source(sent), type, code, sent, quotedLength), nowNs);
        assertArrayEquals(icmpError(ip(sender), Packets.source(original), type, code, original, quotedLength),
            translated, "translated error quoting " + quotedLength + " bytes");
        assertTrue(Packets.embeddedChecksumsValid(translated), "quoted checksums");
    }

    /**
     * Asserts that an ICMP error an inside {@code sender} sends about {@code received} (a packet as the
     * NAT delivered it) goes out as the public address's error about {@code asSent} (the packet as its
     * remote sent it), byte for byte.
     */
    void assertErrorOut(
        final String sender, final int type, final int code, final byte[] received, final byte[] asSent,
        final int quotedLength, final long nowNs)
    {
        final byte[] translated = out(
            icmpError(ip(sender), Packets.source(received), type, code, received, quotedLength), nowNs);
        assertArrayEquals(icmpError(Packets.destination(asSent), Packets.source(asSent), type, code, asSent,
            quotedLength), translated, "translated error quoting " + quotedLength + " bytes");
        assertTrue(Packets.embeddedChecksumsValid(translated), "quoted checksums");
    }

    /**
     * Sends a copy from inside expecting a drop for {@code reason}, the packet left as it was and
     * no session or mapping created.
     */
    void assertDropsOut(final byte[] packet, final DropReason reason, final long nowNs)
    {
        assertDrops(packet, reason, nowNs, true);
    }

    void assertDropsIn(final byte[] packet, final DropReason reason, final long nowNs)
    {
        assertDrops(packet, reason, nowNs, false);
    }

    private byte[] translated(final byte[] packet, final long nowNs, final boolean outbound, final int expectedResult)
    {
        final byte[] copy = packet.clone();
        final int result = outbound ? outbound(copy, nowNs) : inbound(copy, nowNs);
        assertEquals(describe(expectedResult), describe(result), (outbound ? "outbound" : "inbound") + " result");
        // a fragment's transport checksum covers the whole datagram: callers compare exact bytes instead
        if (Packets.isFragment(copy) ? !Packets.headerChecksumValid(copy) : !Packets.checksumsValid(copy))
        {
            fail("checksums of the translated packet do not verify");
        }
        return copy;
    }

    private void assertDrops(final byte[] packet, final DropReason reason, final long nowNs, final boolean outbound)
    {
        final int sessionsBefore = workers.sessionCount();
        final int mappingsBefore = workers.mappingCount();
        final int portsBefore = workers.portsInUse();
        final byte[] copy = packet.clone();
        final int result = outbound ? outbound(copy, nowNs) : inbound(copy, nowNs);
        assertEquals(describe(NatEngine.drop(reason)), describe(result), (outbound ? "outbound" : "inbound") + " result");
        assertArrayEquals(packet, copy, "a dropped packet is left as it was");
        assertEquals(sessionsBefore, workers.sessionCount(), "sessions after a drop");
        assertEquals(mappingsBefore, workers.mappingCount(), "mappings after a drop");
        assertEquals(portsBefore, workers.portsInUse(), "ports after a drop");
    }

    static String describe(final int result)
    {
        return switch (result)
        {
            case NatEngine.FORWARD -> "FORWARD";
            case NatEngine.HAIRPIN -> "HAIRPIN";
            case NatEngine.HELD -> "HELD";
            default -> result < 0 ? "drop " + NatEngine.dropReason(result) : "unknown result " + result;
        };
    }

    /**
     * @return the held fragments the engine releases after a first fragment, untranslated.
     */
    List<byte[]> releasedFragments()
    {
        final List<byte[]> released = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FragmentTable.HELD_SLOT_BYTES]);
        int length;
        while ((length = workers.pollReleasedFragment(buffer, 0)) > 0)
        {
            final byte[] fragment = new byte[length];
            buffer.getBytes(0, fragment);
            released.add(fragment);
        }
        return released;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Time and commands
    // ------------------------------------------------------------------------------------------------------------

    int expire(final long nowNs)
    {
        return workers.expire(nowNs, Integer.MAX_VALUE);
    }

    /**
     * Applies commands at {@code nowNs}, as the worker does between bursts.
     */
    void command(final long nowNs, final Consumer<NatCommands> commands)
    {
        workers.commandTimeNs(nowNs);
        commands.accept(workers);
    }

    /**
     * @return the outcome the last command reported.
     */
    Completion lastCompletion()
    {
        assertTrue(!events.completions.isEmpty(), "a command completion was reported");
        return events.completions.getLast();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Table inspection
    // ------------------------------------------------------------------------------------------------------------

    record Session(
        int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, int remoteAddress,
        int remotePort, long deadlineNs, int tcpFlags, MappingKind kind)
    {
    }

    record Mapping(
        int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, MappingKind kind,
        int sessionCount, long deadlineNs)
    {
    }

    List<Session> sessions()
    {
        final List<Session> sessions = new ArrayList<>();
        workers.forEachSession((protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
            remotePort, deadlineNs, tcpFlags, kind) -> sessions.add(new Session(protocol, insideAddress, insidePort,
            publicAddress, publicPort, remoteAddress, remotePort, deadlineNs, tcpFlags, kind)));
        return sessions;
    }

    List<Mapping> mappings()
    {
        final List<Mapping> mappings = new ArrayList<>();
        workers.forEachMapping((protocol, insideAddress, insidePort, publicAddress, publicPort, kind, sessionCount,
            deadlineNs) -> mappings.add(new Mapping(protocol, insideAddress, insidePort, publicAddress, publicPort, kind,
            sessionCount, deadlineNs)));
        return mappings;
    }

    Session onlySession()
    {
        final List<Session> sessions = sessions();
        assertEquals(1, sessions.size(), "sessions: " + sessions);
        return sessions.getFirst();
    }

    Mapping onlyMapping()
    {
        final List<Mapping> mappings = mappings();
        assertEquals(1, mappings.size(), "mappings: " + mappings);
        return mappings.getFirst();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------------------------

    enum EventType
    {
        CREATED, EXPIRED, REMOVED
    }

    /**
     * A mapping event; {@code kind} is -1 for expired and removed, which do not carry it.
     */
    record MappingEvent(
        EventType type, long timeNs, int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort,
        int kind)
    {
    }

    record Completion(long timeNs, long correlationId, CommandStatus status, int publicAddress, int publicPort)
    {
    }

    /**
     * A session event: its method name without "onSession", time, protocol, inside, public and remote endpoints
     * (dotted) and state.
     */
    record SessionEvent(String type, long timeNs, int protocol, String inside, String outside, String remote, int state)
    {
    }

    static final class RecordingEvents implements NatEventListener
    {
        final List<MappingEvent> mappingEvents = new ArrayList<>();
        final List<Completion> completions = new ArrayList<>();
        final List<SessionEvent> sessionEvents = new ArrayList<>();
        /** What the listener says there is room for, as an event ring's encoder would. */
        boolean creationRoom = true;
        boolean refreshRoom = true;
        boolean removalRoom = true;

        public boolean canRecordCreation()
        {
            return creationRoom;
        }

        public boolean canRecordRefresh()
        {
            return refreshRoom;
        }

        public boolean canRecordRemoval()
        {
            return removalRoom;
        }

        /** Allocation events as text: "allocated 10.0.0.2 203.0.113.1:1024-1087", "quota 10.0.0.2 128", "exhausted 203.0.113.1". */
        final List<String> allocationEvents = new ArrayList<>();

        public void onPortBlockAllocated(
            final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
        {
            block("allocated", insideAddress, publicAddress, firstPort, lastPort);
        }

        public void onPortBlockReleased(
            final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
        {
            block("released", insideAddress, publicAddress, firstPort, lastPort);
        }

        public void onPortBlockInterim(
            final long timeNs, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
        {
            block("interim", insideAddress, publicAddress, firstPort, lastPort);
        }

        public void onQuotaExceeded(final long timeNs, final int insideAddress, final int limit)
        {
            allocationEvents.add("quota " + Ipv4.toString(insideAddress) + " " + limit);
        }

        public void onPortsExhausted(final long timeNs, final int publicAddress)
        {
            allocationEvents.add("exhausted " + Ipv4.toString(publicAddress));
        }

        private void block(
            final String type, final int insideAddress, final int publicAddress, final int firstPort, final int lastPort)
        {
            allocationEvents.add(type + " " + Ipv4.toString(insideAddress) + " " + Ipv4.toString(publicAddress) + ":" +
                firstPort + "-" + lastPort);
        }

        private void session(
            final String type, final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            sessionEvents.add(new SessionEvent(type, timeNs, protocol, Ipv4.toString(insideAddress) + ":" + insidePort,
                Ipv4.toString(publicAddress) + ":" + publicPort, Ipv4.toString(remoteAddress) + ":" + remotePort,
                state));
        }

        public void onSessionCreated(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            session("Created", timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
                remotePort, state);
        }

        public void onSessionRefreshed(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            session("Refreshed", timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
                remotePort, state);
        }

        public void onSessionExpired(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            session("Expired", timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
                remotePort, state);
        }

        public void onSessionRemoved(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort,
            final int state)
        {
            session("Removed", timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, remoteAddress,
                remotePort, state);
        }

        public void onMappingCreated(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort, final int kind)
        {
            mappingEvents.add(new MappingEvent(
                EventType.CREATED, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, kind));
        }

        public void onMappingExpired(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort)
        {
            mappingEvents.add(new MappingEvent(
                EventType.EXPIRED, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, -1));
        }

        public void onMappingRemoved(
            final long timeNs, final int protocol, final int insideAddress, final int insidePort,
            final int publicAddress, final int publicPort)
        {
            mappingEvents.add(new MappingEvent(
                EventType.REMOVED, timeNs, protocol, insideAddress, insidePort, publicAddress, publicPort, -1));
        }

        public void onCommandCompleted(
            final long timeNs, final long correlationId, final int status, final int publicAddress, final int publicPort)
        {
            completions.add(new Completion(timeNs, correlationId, CommandStatus.get(status), publicAddress, publicPort));
        }
    }
}
