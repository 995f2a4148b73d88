package io.natgate.datapath.nat;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.IcmpMessage;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.natgate.datapath.frame.TcpSegment.ACK;
import static io.natgate.datapath.frame.TcpSegment.FIN;
import static io.natgate.datapath.frame.TcpSegment.PSH;
import static io.natgate.datapath.frame.TcpSegment.RST;
import static io.natgate.datapath.frame.TcpSegment.SYN;
import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.REMOTE_2;
import static io.natgate.datapath.nat.NatHarness.ROUTER;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.icmpError;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.sourcePort;
import static io.natgate.datapath.testing.Packets.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 5382 (NAT behavioural requirements for TCP), one test or more per requirement that applies
 * to the engine, with the TCP state tracking behind REQ-2 and REQ-5. Translated packets are compared
 * byte for byte with packets built from scratch; their checksums are recomputed from scratch.
 */
@ParameterizedClass(name = "{0} workers")
@ValueSource(ints = {1, 2, 4})
class Rfc5382TcpBehaviourTest
{
    @Parameter
    int workers;

    private static final long ESTABLISHED_NS = 124 * MINUTE_NS;
    private static final long TRANSITORY_NS = 4 * MINUTE_NS;

    @Test
    @DisplayName("RFC 5382 REQ-1: endpoint-independent mapping for TCP")
    void shouldUseEndpointIndependentMappingForTcp()
    {
        final NatHarness nat = new NatHarness(workers);
        final int publicPort = sourcePort(nat.outWithPortTaken(tcp(HOST_A, 5000, REMOTE_1, 80, SYN, PAYLOAD), 0));

        nat.assertTcpOut(HOST_A, 5000, REMOTE_2, 443, publicPort, SYN, 1);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 8080, publicPort, SYN, 2);
        assertEquals(2, nat.workers.mappingCount());
    }

    @Test
    @DisplayName("RFC 5382 REQ-2: a three-way handshake from inside establishes the connection, its last ACK does")
    void shouldTrackOutboundThreeWayHandshakeToEstablished()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, SYN, 0);
        assertEquals(TRANSITORY_NS, nat.onlySession().deadlineNs(), "transitory until both sides sent a SYN");
        nat.assertTcpIn(REMOTE_1, 80, 5000, HOST_A, 5000, SYN | ACK, SECOND_NS);
        assertEquals(SECOND_NS + TRANSITORY_NS, nat.onlySession().deadlineNs(), "half-open until the ACK");
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, ACK, 2 * SECOND_NS);
        assertEquals(2 * SECOND_NS + ESTABLISHED_NS, nat.onlySession().deadlineNs());
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, PSH | ACK, 3 * SECOND_NS);
        nat.assertTcpIn(REMOTE_1, 80, 5000, HOST_A, 5000, PSH | ACK, 4 * SECOND_NS);
        assertEquals(4 * SECOND_NS + ESTABLISHED_NS, nat.onlySession().deadlineNs());
    }

    @Test
    @DisplayName("RFC 5382 REQ-2: a connection initiated from outside through a port forward")
    void shouldTrackInboundThreeWayHandshakeThroughStaticMapping()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.command(0, commands -> commands.addStaticMapping(1, 6, ip(HOST_B), 8080, ip(PUBLIC), 80));
        assertEquals(CommandStatus.OK, nat.lastCompletion().status());

        nat.assertTcpIn(REMOTE_1, 40_000, 80, HOST_B, 8080, SYN, SECOND_NS);
        nat.assertTcpOut(HOST_B, 8080, REMOTE_1, 40_000, 80, SYN | ACK, 2 * SECOND_NS);
        nat.assertTcpIn(REMOTE_1, 40_000, 80, HOST_B, 8080, ACK, 3 * SECOND_NS);
        assertEquals(3 * SECOND_NS + ESTABLISHED_NS, nat.onlySession().deadlineNs());
    }

    @Test
    @DisplayName("RFC 5382 REQ-2a: simultaneous open, even with the strictest filtering")
    void shouldEstablishSimultaneousOpen()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ADDRESS_AND_PORT_DEPENDENT), workers);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 4000, 5000, SYN, 0);
        nat.assertTcpIn(REMOTE_1, 4000, 5000, HOST_A, 5000, SYN, SECOND_NS);
        assertEquals(SECOND_NS + TRANSITORY_NS, nat.onlySession().deadlineNs(), "both sides sent a SYN, no ACK yet");
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 4000, 5000, SYN | ACK, 2 * SECOND_NS);
        nat.assertTcpIn(REMOTE_1, 4000, 5000, HOST_A, 5000, SYN | ACK, 2 * SECOND_NS);
        nat.assertTcpIn(REMOTE_1, 4000, 5000, HOST_A, 5000, PSH | ACK, 3 * SECOND_NS);
        assertEquals(3 * SECOND_NS + ESTABLISHED_NS, nat.onlySession().deadlineNs());
    }

    @Test
    @DisplayName("RFC 5382 REQ-3: endpoint-independent filtering admits a SYN from any remote")
    void shouldAdmitInboundSynFromAnyRemoteWithEndpointIndependentFiltering()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT), workers);
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 3478, SYN, PAYLOAD), 0);
        nat.assertTcpIn(REMOTE_2, 6000, 5000, HOST_A, 5000, SYN, 1);
        assertEquals(2, nat.workers.sessionCount());
    }

    @Test
    @DisplayName("RFC 5382 REQ-3: address-dependent filtering admits a SYN only from addresses sent to")
    void shouldAdmitInboundSynOnlyFromContactedAddressWithAddressDependentFiltering()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 3478, SYN, PAYLOAD), 0);
        nat.assertDropsIn(tcp(REMOTE_2, 6000, PUBLIC, 5000, SYN, PAYLOAD), DropReason.FILTERED, 1);
        nat.assertTcpIn(REMOTE_1, 6000, 5000, HOST_A, 5000, SYN, 1);
    }

    @Test
    @DisplayName("RFC 5382 REQ-4: an unsolicited SYN is dropped silently (REQ-4a's policy; no 6-second hold)")
    void shouldSilentlyDropUnsolicitedInboundSyn()
    {
        // The engine does not hold the SYN for 6 seconds to answer ICMP port unreachable later:
        // REQ-4a lets a NAT whose security policy forbids answering drop it silently, which it does.
        final NatHarness nat = new NatHarness(workers);
        nat.assertDropsIn(tcp(REMOTE_1, 4000, PUBLIC, 5000, SYN, PAYLOAD), DropReason.NO_MAPPING, 0);
        assertTrue(nat.events.mappingEvents.isEmpty());

        // the inside host's own SYN for that connection then opens it, and the retransmitted SYN gets in
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 4000, 5000, SYN, 3 * SECOND_NS);
        nat.assertTcpIn(REMOTE_1, 4000, 5000, HOST_A, 5000, SYN, 4 * SECOND_NS);
    }

    @Test
    @DisplayName("RFC 5382 REQ-5: an established connection lives 2 hours 4 minutes idle")
    void shouldKeepEstablishedConnectionForTwoHoursFourMinutes()
    {
        final NatHarness nat = new NatHarness(workers);
        final long establishedAtNs = handshake(nat, 0);

        nat.expire(establishedAtNs + ESTABLISHED_NS - 1);
        assertEquals(1, nat.workers.sessionCount());
        nat.expire(establishedAtNs + ESTABLISHED_NS);
        assertEquals(0, nat.workers.sessionCount());
        assertEquals(new NatHarness.MappingEvent(NatHarness.EventType.EXPIRED, establishedAtNs + ESTABLISHED_NS, 6,
            ip(HOST_A), 5000, ip(PUBLIC), 5000, -1), nat.events.mappingEvents.getLast());
    }

    @Test
    @DisplayName("RFC 5382 REQ-5: a connection still opening lives 4 minutes idle")
    void shouldExpireTransitoryConnectionAfterFourMinutes()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, SYN, PAYLOAD), 0);
        nat.expire(TRANSITORY_NS - 1);
        assertEquals(1, nat.workers.sessionCount());
        nat.expire(TRANSITORY_NS);
        assertEquals(0, nat.workers.sessionCount());
        assertEquals(0, nat.workers.mappingCount());
    }

    @Test
    @DisplayName("RFC 5382 REQ-5: a FIN moves the connection to the transitory timeout")
    void shouldMoveToTransitoryTimeoutAfterFin()
    {
        final NatHarness nat = new NatHarness(workers);
        final long finNs = handshake(nat, 0) + 10 * MINUTE_NS;
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, FIN | ACK, finNs);
        assertEquals(finNs + TRANSITORY_NS, nat.onlySession().deadlineNs());
        nat.assertTcpIn(REMOTE_1, 80, 5000, HOST_A, 5000, FIN | ACK, finNs + SECOND_NS);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, ACK, finNs + 2 * SECOND_NS);

        nat.expire(finNs + 2 * SECOND_NS + TRANSITORY_NS - 1);
        assertEquals(1, nat.workers.sessionCount());
        nat.expire(finNs + 2 * SECOND_NS + TRANSITORY_NS);
        assertEquals(0, nat.workers.sessionCount());
    }

    @Test
    @DisplayName("RFC 5382 REQ-5: a RST from either side moves the connection to the transitory timeout")
    void shouldMoveToTransitoryTimeoutAfterRst()
    {
        final NatHarness nat = new NatHarness(workers);
        final long rstNs = handshake(nat, 0) + MINUTE_NS;
        nat.assertTcpIn(REMOTE_1, 80, 5000, HOST_A, 5000, RST, rstNs);
        assertEquals(rstNs + TRANSITORY_NS, nat.onlySession().deadlineNs());

        final NatHarness other = new NatHarness(workers);
        handshake(other, 0);
        other.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, RST | ACK, rstNs);
        assertEquals(rstNs + TRANSITORY_NS, other.onlySession().deadlineNs());
    }

    @Test
    @DisplayName("RFC 5382 REQ-2 and REQ-5: a new SYN after a reset reopens the same connection")
    void shouldReopenConnectionWithNewSynAfterRst()
    {
        final NatHarness nat = new NatHarness(workers);
        handshake(nat, 0);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, RST, MINUTE_NS);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, SYN, 2 * MINUTE_NS);
        assertEquals(2 * MINUTE_NS + TRANSITORY_NS, nat.onlySession().deadlineNs());
        nat.assertTcpIn(REMOTE_1, 80, 5000, HOST_A, 5000, SYN | ACK, 2 * MINUTE_NS + 1);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, ACK, 2 * MINUTE_NS + 2);
        assertEquals(2 * MINUTE_NS + 2 + ESTABLISHED_NS, nat.onlySession().deadlineNs());
    }

    @Test
    @DisplayName("RFC 5382 REQ-5: TCP timeouts below the minimums are refused")
    void shouldRefuseTcpTimeoutsBelowTheMinimums()
    {
        assertThrows(ConfigurationException.class,
            () -> NatHarness.config().tcpEstablishedTimeoutNs(ESTABLISHED_NS - 1).validate());
        assertThrows(ConfigurationException.class,
            () -> NatHarness.config().tcpTransitoryTimeoutNs(TRANSITORY_NS - 1).validate());
    }

    @Test
    @DisplayName("RFC 5382 REQ-2: an outbound RST with no connection is dropped and creates nothing")
    void shouldDropOutboundRstWithoutSession()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.assertDropsOut(tcp(HOST_A, 5000, REMOTE_1, 80, RST | ACK, PAYLOAD), DropReason.NO_MAPPING, 0);
    }

    @Test
    @DisplayName("RFC 5382 REQ-2: only a SYN may open a connection from outside")
    void shouldDropStrayInboundSegmentWithoutSession()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT), workers);
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, SYN, PAYLOAD), 0);
        nat.assertDropsIn(tcp(REMOTE_2, 80, PUBLIC, 5000, ACK, PAYLOAD), DropReason.FILTERED, 1);
        nat.assertDropsIn(tcp(REMOTE_2, 80, PUBLIC, 5000, SYN | RST, PAYLOAD), DropReason.FILTERED, 1);
    }

    @Test
    @DisplayName("RFC 5382 REQ-2: a connection picked up mid-stream from inside is taken as established")
    void shouldTakeMidStreamOutboundSegmentAsEstablished()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.assertTcpOut(HOST_A, 5000, REMOTE_1, 80, 5000, PSH | ACK, 0);
        assertEquals(ESTABLISHED_NS, nat.onlySession().deadlineNs());
    }

    @Test
    @DisplayName("RFC 5382 REQ-6: no ALG; an FTP PORT command passes untouched")
    void shouldNotRewriteFtpPortCommand()
    {
        final NatHarness nat = new NatHarness(workers);
        handshake(nat, 0);
        final byte[] port = "PORT 10,0,0,2,19,136\r\n".getBytes(StandardCharsets.US_ASCII);
        nat.assertOut(tcp(HOST_A, 5000, REMOTE_1, 80, PSH | ACK, port), tcp(PUBLIC, 5000, REMOTE_1, 80, PSH | ACK, port), 3);
    }

    @Test
    @DisplayName("RFC 5382 REQ-7: no port overloading for TCP")
    void shouldGiveDistinctPublicPortsToTcpEndpoints()
    {
        final NatHarness nat = new NatHarness(workers);
        final int portA = sourcePort(nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, SYN, PAYLOAD), 0));
        final int portB = sourcePort(nat.out(tcp(HOST_B, 5000, REMOTE_1, 80, SYN, PAYLOAD), 0));
        assertNotEquals(portA, portB);
        nat.assertTcpIn(REMOTE_1, 80, portA, HOST_A, 5000, SYN | ACK, 1);
        nat.assertTcpIn(REMOTE_1, 80, portB, HOST_B, 5000, SYN | ACK, 1);
    }

    @Test
    @DisplayName("RFC 5382 REQ-8: TCP hairpinning with the external source address and port (REQ-8a)")
    void shouldHairpinTcpWithExternalSourceEndpoint()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT), workers);
        nat.command(0, commands -> commands.addStaticMapping(1, 6, ip(HOST_B), 8080, ip(PUBLIC), 80));
        final int portA = sourcePort(nat.outWithPortTaken(tcp(HOST_A, 5000, REMOTE_1, 80, SYN, PAYLOAD), 0));

        nat.assertHairpin(tcp(HOST_A, 5000, PUBLIC, 80, SYN, PAYLOAD), tcp(PUBLIC, portA, HOST_B, 8080, SYN, PAYLOAD), 1);
        nat.assertHairpin(tcp(HOST_B, 8080, PUBLIC, portA, SYN | ACK, PAYLOAD),
            tcp(PUBLIC, 80, HOST_A, 5000, SYN | ACK, PAYLOAD), 2);
        nat.assertHairpin(tcp(HOST_A, 5000, PUBLIC, 80, ACK, PAYLOAD), tcp(PUBLIC, portA, HOST_B, 8080, ACK, PAYLOAD), 3);
    }

    @Test
    @DisplayName("RFC 5382 REQ-9: ICMP destination unreachable about TCP is translated, embedded segment included")
    void shouldTranslateIcmpDestinationUnreachableForTcp()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] original = tcp(HOST_A, 5000, REMOTE_1, 80, SYN, PAYLOAD);
        final byte[] sent = nat.out(original, 0);
        for (final int quoted : new int[] {28, 40, original.length})
        {
            nat.assertErrorIn(ROUTER, IcmpMessage.DESTINATION_UNREACHABLE, 1, sent, original, quoted, SECOND_NS);
        }
    }

    @Test
    @DisplayName("RFC 5382 REQ-10: no ICMP message ends a TCP mapping or connection")
    void shouldKeepTcpConnectionWhateverIcmpArrives()
    {
        final NatHarness nat = new NatHarness(workers);
        handshake(nat, 0);
        final byte[] sent = nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, PSH | ACK, PAYLOAD), SECOND_NS);
        final NatHarness.Session before = nat.onlySession();

        final int[][] typesAndCodes = {{3, 3}, {3, 1}, {3, 4}, {3, 13}, {4, 0}, {11, 0}, {12, 0}};
        for (final int[] typeAndCode : typesAndCodes)
        {
            nat.in(icmpError(REMOTE_1, PUBLIC, typeAndCode[0], typeAndCode[1], sent), 2 * SECOND_NS);
        }
        nat.expire(MINUTE_NS);
        assertEquals(before, nat.onlySession(), "same state and deadline");
        nat.assertTcpIn(REMOTE_1, 80, 5000, HOST_A, 5000, PSH | ACK, MINUTE_NS);
    }

    /**
     * Opens HOST_A:5000 to REMOTE_1:80 with a three-way handshake.
     *
     * @return when it became established.
     */
    private static long handshake(final NatHarness nat, final long startNs)
    {
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, SYN, PAYLOAD), startNs);
        nat.in(tcp(REMOTE_1, 80, PUBLIC, 5000, SYN | ACK, PAYLOAD), startNs + 1);
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, ACK, PAYLOAD), startNs + 2);
        return startNs + 2;
    }
}
