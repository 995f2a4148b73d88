package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.natgate.datapath.frame.IcmpMessage.DESTINATION_UNREACHABLE;
import static io.natgate.datapath.frame.IcmpMessage.ECHO_REQUEST;
import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.REMOTE_2;
import static io.natgate.datapath.testing.Packets.icmpEcho;
import static io.natgate.datapath.testing.Packets.icmpError;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.tcp;
import static io.natgate.datapath.testing.Packets.truncated;
import static io.natgate.datapath.testing.Packets.udp;
import static io.natgate.datapath.testing.Packets.withByte;
import static io.natgate.datapath.testing.Packets.withShort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed transport and ICMP content of every kind is a counted drop reason, never an exception,
 * and creates nothing. The IPv4 header itself (version, IHL, lengths, header checksum) is validated
 * by the Forwarder before the engine sees a packet, so these packets all have sound IP headers.
 */
class MalformedPacketTest
{
    private static final int L4 = 20;

    /**
     * Malformed packets from {@code source}:{@code sourcePort} to {@code destination}:{@code destinationPort},
     * each with the reason it must be dropped for.
     */
    private static List<Arguments> malformed(
        final String source, final int sourcePort, final String destination, final int destinationPort,
        final boolean fromInside)
    {
        final byte[] udp = udp(source, sourcePort, destination, destinationPort, PAYLOAD);
        final byte[] syn = tcp(source, sourcePort, destination, destinationPort, TcpSegment.SYN, PAYLOAD);
        final byte[] echo = icmpEcho(source, destination, ECHO_REQUEST, sourcePort, 1);
        final byte[] quotable = udp(destination, destinationPort, source, sourcePort, PAYLOAD);
        final List<Arguments> cases = new ArrayList<>();

        for (final int length : new int[] {0, 4, 7})
        {
            cases.add(Arguments.of("UDP header cut to " + length, truncated(udp, L4 + length), DropReason.TRUNCATED_L4_HEADER));
        }
        cases.add(Arguments.of("UDP length below 8", withShort(udp, L4 + 4, 7), DropReason.BAD_L4_CHECKSUM));
        cases.add(Arguments.of("UDP length past the packet", withShort(udp, L4 + 4, udp.length - L4 + 1),
            DropReason.BAD_L4_CHECKSUM));
        cases.add(Arguments.of("UDP checksum wrong", withShort(udp, L4 + 6, 0x1234), DropReason.BAD_L4_CHECKSUM));
        cases.add(Arguments.of("UDP payload corrupted", withByte(udp, udp.length - 1, 0x5A), DropReason.BAD_L4_CHECKSUM));

        for (final int length : new int[] {0, 12, 19})
        {
            cases.add(Arguments.of("TCP header cut to " + length, truncated(syn, L4 + length), DropReason.TRUNCATED_L4_HEADER));
        }
        for (final int words : new int[] {0, 4})
        {
            cases.add(Arguments.of("TCP data offset " + words, withByte(syn, L4 + 12, words << 4),
                DropReason.TRUNCATED_L4_HEADER));
        }
        cases.add(Arguments.of("TCP data offset past the packet", withByte(syn, L4 + 12, 7 << 4),
            DropReason.TRUNCATED_L4_HEADER));
        cases.add(Arguments.of("TCP data offset 15", withByte(syn, L4 + 12, 15 << 4), DropReason.TRUNCATED_L4_HEADER));
        cases.add(Arguments.of("TCP checksum wrong", withShort(syn, L4 + 16, 0x1234), DropReason.BAD_L4_CHECKSUM));

        for (final int length : new int[] {0, 4, 7})
        {
            cases.add(Arguments.of("ICMP header cut to " + length, truncated(echo, L4 + length),
                DropReason.TRUNCATED_L4_HEADER));
        }
        if (fromInside) // from outside a request is refused before its checksum is looked at: it creates nothing
        {
            cases.add(Arguments.of("ICMP echo checksum wrong", withShort(echo, L4 + 2, 0x1234), DropReason.BAD_L4_CHECKSUM));
        }

        for (final int quoted : new int[] {0, 8, 20, 27})
        {
            cases.add(Arguments.of("ICMP error quoting " + quoted + " bytes",
                icmpError(ip(source), ip(destination), DESTINATION_UNREACHABLE, 3, quotable, quoted),
                DropReason.MALFORMED_ICMP));
        }
        cases.add(Arguments.of("ICMP error quoting IPv6", quoteError(source, destination, withByte(quotable, 0, 0x65)),
            DropReason.MALFORMED_ICMP));
        cases.add(Arguments.of("ICMP error quoting IHL 4", quoteError(source, destination, withByte(quotable, 0, 0x44)),
            DropReason.MALFORMED_ICMP));
        cases.add(Arguments.of("ICMP error quoting IHL past the quote",
            quoteError(source, destination, withByte(quotable, 0, 0x4F)), DropReason.MALFORMED_ICMP));
        cases.add(Arguments.of("ICMP error quoting garbage", quoteError(source, destination, garbage(48)),
            DropReason.MALFORMED_ICMP));
        cases.add(Arguments.of("ICMP error quoting GRE",
            quoteError(source, destination, Packets.withProtocol(quotable, 47)), DropReason.ICMP_ERROR_NO_MAPPING));

        cases.add(Arguments.of("GRE", Packets.withProtocol(udp, 47), DropReason.UNSUPPORTED_PROTOCOL));
        cases.add(Arguments.of("SCTP", Packets.withProtocol(syn, 132), DropReason.UNSUPPORTED_PROTOCOL));
        return cases;
    }

    static Stream<Arguments> malformedFromInside()
    {
        return malformed(HOST_A, 5000, REMOTE_1, 53, true).stream();
    }

    static Stream<Arguments> malformedFromOutside()
    {
        return malformed(REMOTE_2, 53, PUBLIC, 5000, false).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFromInside")
    @DisplayName("malformed from inside")
    void shouldDropMalformedPacketFromInside(final String name, final byte[] packet, final DropReason reason)
    {
        final NatHarness nat = new NatHarness();
        nat.assertDropsOut(packet, reason, 0);
        assertTrue(nat.events.mappingEvents.isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFromOutside")
    @DisplayName("malformed from outside, to an open mapping")
    void shouldDropMalformedPacketFromOutside(final String name, final byte[] packet, final DropReason reason)
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT));
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(tcp(HOST_A, 5000, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD), 0);
        nat.out(icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, 5000, 1), 0);
        nat.assertDropsIn(packet, reason, 1);
    }

    @Test
    @DisplayName("a UDP datagram shorter than its IP payload is well formed: the bytes after it pass untouched")
    void shouldTranslateUdpDatagramFollowedByTrailingBytes()
    {
        final NatHarness nat = new NatHarness();
        nat.assertOut(Packets.withTrailingBytes(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 3),
            Packets.withTrailingBytes(udp(PUBLIC, 5000, REMOTE_1, 53, PAYLOAD), 3), 0);
        nat.assertIn(Packets.withTrailingBytes(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), 5),
            Packets.withTrailingBytes(udp(REMOTE_1, 53, HOST_A, 5000, PAYLOAD), 5), 1);
    }

    @Test
    @DisplayName("on an existing session a bad checksum is carried through for the end host, or dropped when configured")
    void shouldVerifyChecksumsOfEstablishedFlowsOnlyWhenConfigured()
    {
        final byte[] corrupted = withShort(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), L4 + 6, 0x1234);
        for (final boolean verify : new boolean[] {false, true})
        {
            final NatHarness nat = new NatHarness(NatHarness.config().verifyChecksums(verify));
            nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
            final byte[] copy = corrupted.clone();
            final int result = nat.outbound(copy, 1);
            if (verify)
            {
                assertEquals(DropReason.BAD_L4_CHECKSUM, NatEngine.dropReason(result));
            }
            else
            {
                assertEquals(NatEngine.FORWARD, result);
                assertEquals(Packets.source(udp(PUBLIC, 5000, REMOTE_1, 53, PAYLOAD)), Packets.source(copy));
                assertTrue(!Packets.checksumsValid(copy), "still bad, for the end host to refuse");
            }
        }
    }

    @Test
    @DisplayName("randomly mutated packets both ways never throw and leave the tables consistent")
    void shouldSurviveRandomlyMutatedPackets()
    {
        final Random random = new Random(0xBAD_BEEFL);
        final NatHarness nat = new NatHarness(NatHarness.config()
            .filtering(FilteringMode.ENDPOINT_INDEPENDENT).maxSessions(512).maxHeldFragments(8));
        nat.command(0, commands -> commands.addStaticMapping(1, 6, ip(HOST_A), 22, ip(PUBLIC), 2222));
        final List<byte[]> fromInside = new ArrayList<>();
        final List<byte[]> fromOutside = new ArrayList<>();
        for (int port = 5000; port < 5004; port++)
        {
            final byte[] udp = udp(HOST_A, port, REMOTE_1, 53, PAYLOAD);
            final byte[] syn = tcp(HOST_A, port, REMOTE_1, 80, TcpSegment.SYN, PAYLOAD);
            final byte[] echo = icmpEcho(HOST_A, REMOTE_1, ECHO_REQUEST, port, 1);
            final byte[] udpOut = nat.out(udp, 0);
            final byte[] synOut = nat.out(syn, 0);
            final byte[] echoOut = nat.out(echo, 0);
            fromInside.add(udp);
            fromInside.add(syn);
            fromInside.add(echo);
            fromInside.add(icmpError(HOST_A, REMOTE_1, DESTINATION_UNREACHABLE, 3, udp(REMOTE_1, 53, HOST_A, port, PAYLOAD)));
            fromInside.add(Packets.fragment(udp(HOST_A, port, REMOTE_1, 53, new byte[40]), 24)[1]);
            fromOutside.add(udp(REMOTE_2, 53, PUBLIC, port, PAYLOAD));
            fromOutside.add(tcp(REMOTE_2, 80, PUBLIC, 2222, TcpSegment.SYN, PAYLOAD));
            fromOutside.add(icmpEcho(REMOTE_1, PUBLIC, IcmpMessage.ECHO_REPLY, port, 1));
            fromOutside.add(icmpError(REMOTE_1, PUBLIC, DESTINATION_UNREACHABLE, 3, udpOut));
            fromOutside.add(icmpError(REMOTE_1, PUBLIC, DESTINATION_UNREACHABLE, 4, synOut));
            fromOutside.add(icmpError(REMOTE_1, PUBLIC, IcmpMessage.TIME_EXCEEDED, 0, echoOut));
        }

        long nowNs = 1;
        for (int i = 0; i < 20_000; i++)
        {
            final boolean outbound = random.nextBoolean();
            final List<byte[]> pool = outbound ? fromInside : fromOutside;
            final byte[] packet = mutate(pool.get(random.nextInt(pool.size())), random);
            final int result = outbound ? nat.outbound(packet, nowNs) : nat.inbound(packet, nowNs);
            assertTrue(result == NatEngine.FORWARD || result == NatEngine.HAIRPIN || result == NatEngine.HELD ||
                NatEngine.dropReason(result) != null, "result " + result);
            nat.releasedFragments();
            nowNs += 1_000_000L;
            if (i % 1000 == 0)
            {
                nat.expire(nowNs);
                assertTablesConsistent(nat);
            }
        }
        assertTablesConsistent(nat);
        nat.expire(nowNs + 3 * 60 * MINUTE_NS);
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(List.of(MappingKind.STATIC), nat.mappings().stream().map(NatHarness.Mapping::kind).toList());
    }

    /**
     * @return a copy with a few random bytes after the IP header changed, or its transport part cut
     * short (the IP header kept sound, as the Forwarder guarantees).
     */
    private static byte[] mutate(final byte[] packet, final Random random)
    {
        if (random.nextInt(4) == 0)
        {
            return truncated(packet, L4 + random.nextInt(packet.length - L4 + 1));
        }
        byte[] mutated = packet;
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--)
        {
            mutated = withByte(mutated, L4 + random.nextInt(packet.length - L4), random.nextInt(256));
        }
        return mutated;
    }

    private static void assertTablesConsistent(final NatHarness nat)
    {
        final List<NatHarness.Mapping> mappings = nat.mappings();
        assertEquals(nat.engine.mappingCount(), mappings.size());
        assertEquals(nat.engine.sessionCount(), nat.sessions().size());
        assertEquals(nat.engine.sessionCount(), mappings.stream().mapToInt(NatHarness.Mapping::sessionCount).sum());
        assertEquals(nat.engine.mappingCount(), nat.engine.portsInUse(), "one public port per mapping");
    }

    private static byte[] quoteError(final String source, final String destination, final byte[] quote)
    {
        return icmpError(ip(source), ip(destination), DESTINATION_UNREACHABLE, 3, quote, quote.length);
    }

    private static byte[] garbage(final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        bytes[0] = 0x45; // looks like an IPv4 header, whose checksum fails
        return bytes;
    }
}
