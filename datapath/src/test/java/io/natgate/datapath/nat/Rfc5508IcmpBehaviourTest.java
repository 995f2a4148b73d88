package io.natgate.datapath.nat;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.Checksums;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.natgate.datapath.frame.IcmpMessage.DESTINATION_UNREACHABLE;
import static io.natgate.datapath.frame.IcmpMessage.ECHO_REPLY;
import static io.natgate.datapath.frame.IcmpMessage.ECHO_REQUEST;
import static io.natgate.datapath.frame.IcmpMessage.TIME_EXCEEDED;
import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.REMOTE_2;
import static io.natgate.datapath.nat.NatHarness.ROUTER;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.icmpEcho;
import static io.natgate.datapath.testing.Packets.icmpError;
import static io.natgate.datapath.testing.Packets.icmpIdentifier;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.sourcePort;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * RFC 5508 (NAT behavioural requirements for ICMP), one test or more per requirement that applies
 * to the engine. ICMP errors are checked whole: outer header, ICMP header, the quoted IP header and
 * transport header, every checksum recomputed from scratch.
 * <p>
 * Not the engine's: REQ-9 and REQ-10 (which ICMP messages the NAT itself generates: time exceeded,
 * fragmentation needed, and the policy that silences them) belong to the Forwarder. REQ-8's ICMP
 * 3/13 is sent by the Forwarder too; the engine's part, a drop reason and the packet left as it
 * came so that it can be quoted, is tested here.
 */
@ParameterizedClass(name = "{0} workers")
@ValueSource(ints = {1, 2, 4})
class Rfc5508IcmpBehaviourTest
{
    @Parameter
    int workers;

    private static final String INSIDE_ROUTER = "10.0.0.1";
    private static final long ICMP_TIMEOUT_NS = 60 * SECOND_NS;

    @Test
    @DisplayName("RFC 5508 REQ-1: ICMP queries from inside and their replies pass, identifier and checksum translated")
    void shouldTranslateQueryIdentifierBothWays()
    {
        final NatHarness nat = new NatHarness(workers);
        final int publicId = icmpIdentifier(nat.outWithPortTaken(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 0x1234, 1), 0));

        nat.assertOut(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 0x1234, 2), icmpEcho(PUBLIC, REMOTE_1, ECHO_REQUEST, publicId, 2), 1);
        nat.assertIn(icmpEcho(REMOTE_1, PUBLIC, ECHO_REPLY, publicId, 2), icmpEcho(REMOTE_1, HOST_A, ECHO_REPLY, 0x1234, 2), 2);
        nat.assertIn(icmpEcho(REMOTE_1, PUBLIC, ECHO_REPLY, 0x1234, 2),
            icmpEcho(REMOTE_1, NatHarness.PORT_TAKER, ECHO_REPLY, 0x1234, 2), 2);
    }

    @Test
    @DisplayName("RFC 5508 REQ-1: every query type (timestamp, information, address mask) is translated")
    void shouldTranslateEveryQueryType()
    {
        final NatHarness nat = new NatHarness(workers);
        final int[][] requestAndReply = {{13, 14}, {15, 16}, {17, 18}};
        int id = 100;
        for (final int[] types : requestAndReply)
        {
            nat.assertOut(icmpEcho(HOST_A, REMOTE_1, types[0], id, 7), icmpEcho(PUBLIC, REMOTE_1, types[0], id, 7), 0);
            nat.assertIn(icmpEcho(REMOTE_1, PUBLIC, types[1], id, 7), icmpEcho(REMOTE_1, HOST_A, types[1], id, 7), 1);
            id++;
        }
    }

    @Test
    @DisplayName("RFC 5508 REQ-1a: the identifier mapping is independent of the remote host")
    void shouldMapQueryIdentifierIndependentlyOfRemote()
    {
        final NatHarness nat = new NatHarness(workers);
        final int publicId = icmpIdentifier(nat.outWithPortTaken(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 77, 1), 0));
        nat.assertOut(icmpEcho(HOST_A, REMOTE_2, ECHO_REQUEST, 77, 1), icmpEcho(PUBLIC, REMOTE_2, ECHO_REQUEST, publicId, 1), 1);
        assertEquals(2, nat.workers.mappingCount());
    }

    @Test
    @DisplayName("RFC 5508 REQ-1: queries from outside and unmatched replies are dropped")
    void shouldDropInboundQueriesAndUnmatchedReplies()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.out(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 77, 1), 0);
        nat.assertDropsIn(icmpEcho(REMOTE_1, PUBLIC, ECHO_REQUEST, 77, 1), DropReason.NO_MAPPING, 1);
        nat.assertDropsIn(icmpEcho(REMOTE_1, PUBLIC, ECHO_REPLY, 78, 1), DropReason.NO_MAPPING, 1);
        nat.assertDropsIn(icmpEcho(REMOTE_2, PUBLIC, ECHO_REPLY, 77, 1), DropReason.NO_MAPPING, 1);
        nat.assertDropsOut(icmpEcho(HOST_B, REMOTE_1, ECHO_REPLY, 99, 1), DropReason.NO_MAPPING, 1);
    }

    @Test
    @DisplayName("RFC 5508 REQ-2: an ICMP query session lives at least 60 s, refreshed by outbound queries")
    void shouldKeepQuerySessionForSixtySeconds()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.out(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 77, 1), 0);
        nat.expire(ICMP_TIMEOUT_NS - 1);
        assertEquals(1, nat.workers.sessionCount());
        nat.out(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 77, 2), ICMP_TIMEOUT_NS - 1);
        nat.expire(2 * ICMP_TIMEOUT_NS - 2);
        assertEquals(1, nat.workers.sessionCount(), "refreshed by the second request");
        nat.expire(2 * ICMP_TIMEOUT_NS - 1);
        assertEquals(0, nat.workers.sessionCount());
        nat.assertDropsIn(icmpEcho(REMOTE_1, PUBLIC, ECHO_REPLY, 77, 2), DropReason.NO_MAPPING, 2 * ICMP_TIMEOUT_NS);
    }

    @Test
    @DisplayName("RFC 5508 REQ-2: ICMP query timeouts below 60 s are refused")
    void shouldRefuseIcmpTimeoutBelowSixtySeconds()
    {
        assertThrows(ConfigurationException.class,
            () -> NatHarness.config().icmpTimeoutNs(ICMP_TIMEOUT_NS - 1).validate());
    }

    @Test
    @DisplayName("RFC 5508 REQ-3: an ICMP error whose checksum fails is dropped silently")
    void shouldDropIcmpErrorWithBadChecksum()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] sent = nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        final byte[] error = icmpError(REMOTE_1, PUBLIC, DESTINATION_UNREACHABLE, 3, sent);
        nat.assertDropsIn(Packets.withShort(error, 22, 0xBEEF), DropReason.BAD_L4_CHECKSUM, 1);

        final byte[] received = nat.in(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), 2);
        final byte[] outbound = icmpError(HOST_A, REMOTE_1, DESTINATION_UNREACHABLE, 3, received);
        nat.assertDropsOut(Packets.withShort(outbound, 22, 0xBEEF), DropReason.BAD_L4_CHECKSUM, 3);
    }

    @Test
    @DisplayName("RFC 5508 REQ-3a: an ICMP error whose quoted IP header checksum fails is dropped silently")
    void shouldDropIcmpErrorWithBadEmbeddedIpChecksum()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] sent = nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        final byte[] corrupted = Packets.withShort(sent, 10, 0xBEEF); // the quoted header's checksum
        nat.assertDropsIn(icmpError(REMOTE_1, PUBLIC, DESTINATION_UNREACHABLE, 3, corrupted), DropReason.MALFORMED_ICMP, 1);
    }

    @Test
    @DisplayName("RFC 5508 REQ-3b: the quoted packet's IP options are stepped over")
    void shouldTranslateErrorQuotingPacketWithIpOptions()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] options = {(byte)0x94, 4, 0, 0, 1, 1, 1, 0}; // router alert, NOPs, end of list
        final byte[] original = Packets.withIpOptions(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), options);
        final byte[] sent = nat.out(original, 0);
        assertArrayEquals(Packets.withIpOptions(udp(PUBLIC, 5000, REMOTE_1, 53, PAYLOAD), options), sent);

        nat.assertErrorIn(ROUTER, TIME_EXCEEDED, 0, sent, original, 36, 1);
    }

    @Test
    @DisplayName("RFC 5508 REQ-3c: the quoted transport checksum is not validated")
    void shouldTranslateErrorWhoseQuotedTransportChecksumFails()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] original = udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD);
        final byte[] sent = nat.out(original, 0);
        // a byte of the quoted payload changed on the way: the quoted UDP checksum no longer verifies
        final int last = sent.length - 1;
        final byte[] error = icmpError(ip(REMOTE_1), ip(PUBLIC), DESTINATION_UNREACHABLE, 3,
            Packets.withByte(sent, last, sent[last] ^ 0x55), sent.length);

        final byte[] expected = icmpError(ip(REMOTE_1), ip(HOST_A), DESTINATION_UNREACHABLE, 3,
            Packets.withByte(original, last, original[last] ^ 0x55), original.length);
        nat.assertIn(error, expected, 1);
    }

    @Test
    @DisplayName("RFC 5508 REQ-3d: ICMP extensions (RFC 4884) after the quote are kept as they are")
    void shouldKeepIcmpExtensionsWhenTranslatingError()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] original = udp(HOST_A, 5000, REMOTE_1, 53, new byte[100]);
        final byte[] sent = nat.out(original, 0);
        final byte[] extension = {0x20, 0, 0, 0, 0, 8, 2, 1, 0, 0, 5, (byte)0xDC};
        final int extensionChecksum = Checksums.checksum(new UnsafeBuffer(extension), 0, extension.length);
        extension[2] = (byte)(extensionChecksum >>> 8);
        extension[3] = (byte)extensionChecksum;

        final byte[] error = Packets.withIcmpExtension(
            icmpError(ip(ROUTER), ip(PUBLIC), DESTINATION_UNREACHABLE, 4, sent, 128), extension);
        final byte[] expected = Packets.withIcmpExtension(
            icmpError(ip(ROUTER), ip(HOST_A), DESTINATION_UNREACHABLE, 4, original, 128), extension);
        nat.assertIn(error, expected, 1);
    }

    static Stream<Arguments> packetsFromInside()
    {
        return Stream.of(
            Arguments.of("udp", udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD)),
            Arguments.of("tcp", tcp(HOST_A, 5000, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD)),
            Arguments.of("icmp echo", icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 5000, 9)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packetsFromInside")
    @DisplayName("RFC 5508 REQ-4: errors from outside are translated back, quote, type and code included")
    void shouldTranslateInboundErrorAboutEachProtocol(final String protocol, final byte[] original)
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] sent = nat.outWithPortTaken(original, 0);
        for (final int quoted : new int[] {28, 40, original.length})
        {
            nat.assertErrorIn(REMOTE_1, DESTINATION_UNREACHABLE, 3, sent, original, quoted, 1);
            nat.assertErrorIn(ROUTER, TIME_EXCEEDED, 0, sent, original, quoted, 2);
            nat.assertErrorIn(ROUTER, DESTINATION_UNREACHABLE, 4, sent, original, quoted, 3);
        }
    }

    @Test
    @DisplayName("RFC 5508 REQ-4: errors from outside with no mapping for their quote are dropped silently")
    void shouldDropInboundErrorWithoutMapping()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().publicAddresses(ip(PUBLIC), ip("203.0.113.2")), workers);
        final byte[] neverSent = udp(PUBLIC, 5000, REMOTE_1, 53, PAYLOAD);
        nat.assertDropsIn(icmpError(REMOTE_1, PUBLIC, DESTINATION_UNREACHABLE, 3, neverSent),
            DropReason.ICMP_ERROR_NO_MAPPING, 0);

        final byte[] sent = nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        final String otherPublic = Packets.source(sent) == ip(PUBLIC) ? "203.0.113.2" : PUBLIC;
        nat.assertDropsIn(icmpError(REMOTE_1, otherPublic, DESTINATION_UNREACHABLE, 3, sent),
            DropReason.ICMP_ERROR_NO_MAPPING, 1);
        final byte[] echoReply = icmpEcho(PUBLIC, REMOTE_1, ECHO_REPLY, 1, 1);
        nat.assertDropsIn(icmpError(REMOTE_1, PUBLIC, DESTINATION_UNREACHABLE, 3, echoReply),
            DropReason.ICMP_ERROR_NO_MAPPING, 1);
        assertEquals(1, nat.workers.sessionCount());
    }

    @Test
    @DisplayName("RFC 5508 REQ-5: errors from inside are translated, outer source the public address (REQ-5c)")
    void shouldTranslateOutboundErrors()
    {
        final NatHarness nat = new NatHarness(workers);
        final int publicPort = sourcePort(nat.outWithPortTaken(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0));
        final byte[] asSent = udp(REMOTE_1, 53, PUBLIC, publicPort, PAYLOAD);
        final byte[] received = nat.in(asSent, 1);

        nat.assertErrorOut(HOST_A, DESTINATION_UNREACHABLE, 3, received, asSent, 28, 2);
        nat.assertErrorOut(INSIDE_ROUTER, TIME_EXCEEDED, 0, received, asSent, 28, 2);
        nat.assertErrorOut(HOST_A, DESTINATION_UNREACHABLE, 3, received, asSent, 576, 3);
    }

    @Test
    @DisplayName("RFC 5508 REQ-5: errors from inside about TCP are translated")
    void shouldTranslateOutboundErrorAboutTcp()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.command(0, commands -> commands.addStaticMapping(1, 6, ip(HOST_B), 8080, ip(PUBLIC), 80));
        final byte[] asSent = tcp(REMOTE_1, 40_000, PUBLIC, 80, TcpSegment.SYN, PAYLOAD);
        nat.assertErrorOut(HOST_B, DESTINATION_UNREACHABLE, 3, nat.in(asSent, 1), asSent, 576, 2);
    }

    @Test
    @DisplayName("RFC 5508 REQ-5: errors from inside about an ICMP query reply are translated, identifier included")
    void shouldTranslateOutboundErrorAboutIcmpQueryReply()
    {
        final NatHarness nat = new NatHarness(workers);
        final int publicId = icmpIdentifier(nat.outWithPortTaken(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 0x4242, 1), 0));
        final byte[] asSent = icmpEcho(REMOTE_1, PUBLIC, ECHO_REPLY, publicId, 1);
        final byte[] received = nat.in(asSent, 1);
        for (final int quoted : new int[] {28, asSent.length})
        {
            nat.assertErrorOut(INSIDE_ROUTER, TIME_EXCEEDED, 0, received, asSent, quoted, 2);
        }
        nat.assertDropsOut(icmpError(INSIDE_ROUTER, REMOTE_1, TIME_EXCEEDED, 0,
            icmpEcho(REMOTE_1, HOST_A, ECHO_REQUEST, 0x4242, 1)), DropReason.ICMP_ERROR_NO_MAPPING, 3);
    }

    @Test
    @DisplayName("RFC 5508 REQ-5: errors from inside with no mapping for their quote are dropped silently")
    void shouldDropOutboundErrorWithoutMapping()
    {
        final NatHarness nat = new NatHarness(workers);
        nat.assertDropsOut(icmpError(HOST_A, REMOTE_1, DESTINATION_UNREACHABLE, 3, udp(REMOTE_1, 53, HOST_A, 5000, PAYLOAD)),
            DropReason.ICMP_ERROR_NO_MAPPING, 0);
    }

    @Test
    @DisplayName("RFC 5508 REQ-6: an error about a query neither refreshes nor deletes its session")
    void shouldNeitherRefreshNorDeleteQuerySessionOnError()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] sent = nat.out(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 77, 1), 0);
        final NatHarness.Session before = nat.onlySession();
        nat.in(icmpError(ROUTER, PUBLIC, DESTINATION_UNREACHABLE, 1, sent), 30 * SECOND_NS);
        nat.in(icmpError(ROUTER, PUBLIC, TIME_EXCEEDED, 0, sent), 40 * SECOND_NS);
        assertEquals(before, nat.onlySession());

        nat.expire(ICMP_TIMEOUT_NS);
        assertEquals(0, nat.workers.sessionCount(), "expired on the request's deadline, not the errors'");
    }

    @Test
    @DisplayName("RFC 5508 REQ-7: hairpinned ICMP errors, outer destination the quote's translated source (REQ-7a)")
    void shouldHairpinIcmpError()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT), workers);
        nat.out(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(udp(NatHarness.PORT_TAKER, 5000, REMOTE_1, 53, PAYLOAD), 0); // A's public port will differ
        final byte[] original = udp(HOST_A, 5000, PUBLIC, 6000, PAYLOAD);
        final byte[] atB = nat.hairpin(original, 1);
        assertNotEquals(5000, sourcePort(atB));

        nat.assertHairpin(icmpError(HOST_B, PUBLIC, DESTINATION_UNREACHABLE, 3, atB),
            icmpError(PUBLIC, HOST_A, DESTINATION_UNREACHABLE, 3, original), 2);
    }

    @Test
    @DisplayName("RFC 5508 REQ-8: when no session can be made the packet is dropped as it came, for the 3/13 reply")
    void shouldDropUntouchedWhenNoSessionCanBeCreated()
    {
        final NatHarness full = new NatHarness(NatHarness.config().maxSessions(1), workers);
        full.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        full.in(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), 0); // answered: early drop keeps it
        full.assertDropsOut(udp(HOST_B, 5000, REMOTE_1, 53, PAYLOAD), DropReason.MAX_SESSIONS, 1);
        full.assertDropsOut(icmpEcho(HOST_B, REMOTE_1, ECHO_REQUEST, 1, 1), DropReason.MAX_SESSIONS, 1);

        final NatHarness quota = new NatHarness(NatHarness.config().portsPerClient(1), workers);
        quota.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        quota.assertDropsOut(tcp(HOST_A, 5000, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD), DropReason.CLIENT_PORT_QUOTA, 1);
        quota.assertDropsOut(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 1, 1), DropReason.CLIENT_PORT_QUOTA, 1);
    }

    @Test
    @DisplayName("RFC 5508 REQ-11: ICMP messages neither query nor error are dropped")
    void shouldDropNonQueryErrorIcmp()
    {
        final NatHarness nat = new NatHarness(workers);
        for (final int type : new int[] {9, 10, 30, 42, 255})
        {
            nat.assertDropsOut(icmpEcho(HOST_A, REMOTE_1, type, 77, 1), DropReason.UNSUPPORTED_PROTOCOL, 0);
            nat.assertDropsIn(icmpEcho(REMOTE_1, PUBLIC, type, 77, 1), DropReason.NO_MAPPING, 0);
        }
    }
}
