package io.natgate.datapath.nat;

import io.natgate.datapath.pipeline.NatCommandDecoder;
import io.natgate.datapath.pipeline.NatCommandEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.natgate.datapath.frame.TcpSegment.ACK;
import static io.natgate.datapath.frame.TcpSegment.SYN;
import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.REMOTE_2;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A standby's engine made to follow an active one by {@link NatCommands#replicateSession}: what the active's
 * tables hold (as a snapshot reads them, or its session events report them), the standby's hold too, and the
 * standby forwards the replies of the active's connections through the same public endpoints.
 */
class ReplicaCommandsTest
{
    private static final int UDP = 17;
    private static final int TCP = 6;

    @Test
    @DisplayName("a standby given the active's sessions holds the same mappings and sessions and forwards their replies")
    void shouldForwardRepliesOfReplicatedSessionsOnStandby()
    {
        final NatHarness active = new NatHarness();
        active.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 0);
        active.assertTcpOut(HOST_B, 40000, REMOTE_2, 80, 40000, SYN, 0);
        active.assertTcpIn(REMOTE_2, 80, 40000, HOST_B, 40000, SYN | ACK, SECOND_NS);
        active.assertTcpOut(HOST_B, 40000, REMOTE_2, 80, 40000, ACK, 2 * SECOND_NS);

        final NatHarness standby = new NatHarness();
        replicate(active, standby, 5 * SECOND_NS);

        assertEquals(endpoints(active), endpoints(standby));
        assertEquals(mappingEndpoints(active), mappingEndpoints(standby));
        assertEquals(2, standby.events.completions.stream().filter(c -> c.status() == CommandStatus.OK).count());
        assertEquals(2, standby.events.sessionEvents.stream().filter(e -> e.type().equals("Created")).count(),
            "the standby journals what it holds: " + standby.events.sessionEvents);
        assertEquals(2, standby.events.mappingEvents.size(), "mappings reported made: " + standby.events.mappingEvents);

        // the active is gone: the standby carries the replies and the next segments of the established connection
        standby.assertUdpIn(REMOTE_1, 53, 5000, HOST_A, 5000, 6 * SECOND_NS);
        standby.assertTcpIn(REMOTE_2, 80, 40000, HOST_B, 40000, ACK, 6 * SECOND_NS);
        standby.assertTcpOut(HOST_B, 40000, REMOTE_2, 80, 40000, ACK, 7 * SECOND_NS);
        final NatHarness.Session tcp = standby.sessions().stream().filter(s -> s.protocol() == TCP).findFirst()
            .orElseThrow();
        assertEquals(active.sessions().stream().filter(s -> s.protocol() == TCP).findFirst().orElseThrow().tcpFlags(),
            tcp.tcpFlags(), "TCP state replicated");
    }

    @Test
    @DisplayName("replicating a session again refreshes it; a different public endpoint for a mapped inside one is refused")
    void shouldRefreshOnRepeatAndRefuseConflicts()
    {
        final NatHarness standby = new NatHarness();
        final int publicAddress = ip(PUBLIC);
        standby.command(SECOND_NS, c -> c.replicateSession(1, UDP, ip(HOST_A), 5000, publicAddress, 7000,
            ip(REMOTE_1), 53, 0));
        final long firstDeadlineNs = standby.onlySession().deadlineNs();
        standby.command(30 * SECOND_NS, c -> c.replicateSession(2, UDP, ip(HOST_A), 5000, publicAddress, 7000,
            ip(REMOTE_1), 53, 0));
        assertEquals(1, standby.sessions().size());
        assertEquals(29 * SECOND_NS, standby.onlySession().deadlineNs() - firstDeadlineNs, "deadline moved on");
        assertEquals(CommandStatus.OK, standby.lastCompletion().status());

        standby.command(31 * SECOND_NS, c -> c.replicateSession(3, UDP, ip(HOST_A), 5000, publicAddress, 7001,
            ip(REMOTE_2), 53, 0));
        assertEquals(CommandStatus.PUBLIC_ENDPOINT_IN_USE, standby.lastCompletion().status());
        standby.command(31 * SECOND_NS, c -> c.replicateSession(4, UDP, ip(HOST_B), 5000, publicAddress, 7000,
            ip(REMOTE_2), 53, 0));
        assertEquals(CommandStatus.PUBLIC_ENDPOINT_IN_USE, standby.lastCompletion().status(), "public endpoint taken");
        standby.command(31 * SECOND_NS, c -> c.replicateSession(5, UDP, ip(HOST_B), 5000, ip("192.0.2.9"), 7000,
            ip(REMOTE_2), 53, 0));
        assertEquals(CommandStatus.NOT_A_PUBLIC_ADDRESS, standby.lastCompletion().status());
        assertEquals(1, standby.mappings().size());
    }

    @Test
    @DisplayName("the replicate command crosses the command ring with every field, the state included")
    void shouldCarryReplicateCommandOverCommandRing()
    {
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
        final NatCommandEncoder encoder = new NatCommandEncoder(ring);
        final int state = NatEngine.TCP_SYN_OUT | NatEngine.TCP_SYN_IN | NatEngine.TCP_ACKED;
        assertTrue(encoder.offerReplicateSession(9, TCP, ip(HOST_A), 40000, ip(PUBLIC), 41000, ip(REMOTE_1), 443,
            state));

        final NatHarness standby = new NatHarness();
        standby.engine.commandTimeNs(SECOND_NS);
        assertEquals(1, new NatCommandDecoder(ring).poll(standby.engine, 10));
        final NatHarness.Session session = standby.onlySession();
        assertEquals(List.of(TCP, ip(HOST_A), 40000, ip(PUBLIC), 41000, ip(REMOTE_1), 443, state),
            List.of(session.protocol(), session.insideAddress(), session.insidePort(), session.publicAddress(),
                session.publicPort(), session.remoteAddress(), session.remotePort(), session.tcpFlags()));
        assertEquals(9, standby.lastCompletion().correlationId());
    }

    private static void replicate(final NatHarness active, final NatHarness standby, final long nowNs)
    {
        for (final NatHarness.Session s : active.sessions())
        {
            standby.command(nowNs, c -> c.replicateSession(-1, s.protocol(), s.insideAddress(), s.insidePort(),
                s.publicAddress(), s.publicPort(), s.remoteAddress(), s.remotePort(), s.tcpFlags()));
        }
    }

    private static Set<List<Integer>> endpoints(final NatHarness nat)
    {
        final Set<List<Integer>> endpoints = new HashSet<>();
        for (final NatHarness.Session s : nat.sessions())
        {
            endpoints.add(List.of(s.protocol(), s.insideAddress(), s.insidePort(), s.publicAddress(), s.publicPort(),
                s.remoteAddress(), s.remotePort()));
        }
        return endpoints;
    }

    private static Set<List<Object>> mappingEndpoints(final NatHarness nat)
    {
        final Set<List<Object>> endpoints = new HashSet<>();
        for (final NatHarness.Mapping m : nat.mappings())
        {
            endpoints.add(List.of(m.protocol(), m.insideAddress(), m.insidePort(), m.publicAddress(), m.publicPort(),
                m.kind()));
        }
        return endpoints;
    }
}
