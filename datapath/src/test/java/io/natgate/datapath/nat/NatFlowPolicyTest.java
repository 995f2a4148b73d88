package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.natgate.datapath.frame.TcpSegment.ACK;
import static io.natgate.datapath.frame.TcpSegment.SYN;
import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's hook for the firewall: the slow path asks the {@link FlowPolicy} before it creates a
 * session, the fast path never does.
 */
class NatFlowPolicyTest
{
    private static final int TCP = Ipv4Protocols.TCP;
    private static final int UDP = Ipv4Protocols.UDP;

    @Test
    void shouldDropOutboundFlowRefusedByPolicyWithoutCreatingAnything()
    {
        final NatHarness nat = new NatHarness();
        final RecordingPolicy policy = new RecordingPolicy(false, true);
        nat.engine.flowPolicy(policy);

        nat.assertDropsOut(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), DropReason.FILTERED_BY_POLICY, SECOND_NS);
        assertEquals(List.of("out " + SECOND_NS + " udp " + ip(HOST_A) + ":5000 " + ip(REMOTE_1) + ":53"),
            policy.asked);
        assertEquals(0, nat.mappings().size());
    }

    @Test
    void shouldAskInboundPolicyWithInsideEndpointAndMappingKindAfterTheMappingsFiltering()
    {
        final NatHarness nat = new NatHarness();
        nat.command(0, commands -> commands.addStaticMapping(1, TCP, ip(HOST_B), 80, ip(PUBLIC), 8080));
        final RecordingPolicy policy = new RecordingPolicy(true, false);
        nat.engine.flowPolicy(policy);

        nat.assertDropsIn(tcp(REMOTE_1, 4000, PUBLIC, 8080, SYN, PAYLOAD), DropReason.FILTERED_BY_POLICY, SECOND_NS);
        assertEquals(List.of("in " + SECOND_NS + " tcp " + ip(REMOTE_1) + ":4000 " + ip(HOST_B) + ":80 STATIC"),
            policy.asked);

        policy.asked.clear();
        nat.assertDropsIn(tcp(REMOTE_1, 4000, PUBLIC, 8080, ACK, PAYLOAD), DropReason.FILTERED, SECOND_NS);
        assertEquals(List.of(), policy.asked, "a stray segment is refused by the mapping before the policy is asked");

        nat.engine.flowPolicy(FlowPolicy.ALLOW_ALL);
        nat.assertTcpIn(REMOTE_1, 4000, 8080, HOST_B, 80, SYN, 2 * SECOND_NS);
    }

    @Test
    void shouldNotConsultPolicyForEstablishedFlows()
    {
        final NatHarness nat = new NatHarness();
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 0);
        final RecordingPolicy policy = new RecordingPolicy(false, false);
        nat.engine.flowPolicy(policy);

        nat.assertUdpIn(REMOTE_1, 53, 5000, HOST_A, 5000, SECOND_NS);
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 53, 5000, 2 * SECOND_NS);
        assertEquals(List.of(), policy.asked);
        nat.assertDropsOut(udp(HOST_A, 5000, REMOTE_1, 54, PAYLOAD), DropReason.FILTERED_BY_POLICY, 3 * SECOND_NS);
    }

    @Test
    void shouldRefuseInboundFlowThroughControlPlaneMappingWhenPolicySaysSo()
    {
        final NatHarness nat = new NatHarness();
        nat.command(0, commands -> commands.openInboundMapping(1, UDP, ip(HOST_B), 5060, 5060, 0, 60 * SECOND_NS));
        final RecordingPolicy policy = new RecordingPolicy(true, false);
        nat.engine.flowPolicy(policy);

        nat.assertDropsIn(udp(REMOTE_1, 7000, PUBLIC, 5060, PAYLOAD), DropReason.FILTERED_BY_POLICY, SECOND_NS);
        assertEquals(List.of("in " + SECOND_NS + " udp " + ip(REMOTE_1) + ":7000 " + ip(HOST_B) + ":5060 INBOUND"),
            policy.asked);
    }

    private static final class RecordingPolicy implements FlowPolicy
    {
        final List<String> asked = new ArrayList<>();
        private final boolean outbound;
        private final boolean inbound;

        RecordingPolicy(final boolean outbound, final boolean inbound)
        {
            this.outbound = outbound;
            this.inbound = inbound;
        }

        public boolean allowOutbound(
            final long nowNs, final int protocol, final int insideAddress, final int insidePort, final int remoteAddress,
            final int remotePort)
        {
            asked.add("out " + nowNs + " " + Ipv4Protocols.name(protocol) + " " +
                insideAddress + ":" + insidePort + " " + remoteAddress + ":" + remotePort);
            return outbound;
        }

        public boolean allowInbound(
            final long nowNs, final int protocol, final int remoteAddress, final int remotePort, final int insideAddress,
            final int insidePort, final MappingKind mappingKind)
        {
            asked.add("in " + nowNs + " " + Ipv4Protocols.name(protocol) + " " + remoteAddress + ":" + remotePort + " " +
                insideAddress + ":" + insidePort + " " + mappingKind);
            return inbound;
        }
    }
}
