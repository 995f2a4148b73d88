package io.natgate.datapath.nat;

import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties over thousands of random TCP, UDP and ICMP flows (seeded, so a failure replays): a
 * packet from inside goes out as the same packet from its public endpoint, byte for byte; a reply
 * built from what went out (or an ICMP error about it) comes back in as the same packet to the
 * original inside endpoint; checksums verify throughout; an inside endpoint keeps one public
 * endpoint (endpoint-independent mapping, paired pooling) and no two share one.
 */
@ParameterizedClass(name = "{0} workers")
@ValueSource(ints = {1, 2, 4})
class NatRoundTripPropertyTest
{
    @Parameter
    int workers;

    private static final int FLOWS = 4000;
    private static final int EPOCH_FLOWS = 1000;
    private static final long FLOW_INTERVAL_NS = 5_000_000L;
    /** Longer than every timeout: all state expires between epochs. */
    private static final long EPOCH_GAP_NS = 3 * 60 * MINUTE_NS;
    private static final int[] POOL = {ip("203.0.113.1"), ip("203.0.113.2"), ip("203.0.113.3")};

    record Endpoint(int protocol, int address, int port)
    {
    }

    static Stream<Arguments> configurations()
    {
        return Stream.of(
            Arguments.of(1L, new NatConfig().publicAddresses(POOL[0])),
            Arguments.of(2L, new NatConfig().publicAddresses(POOL).filtering(FilteringMode.ADDRESS_AND_PORT_DEPENDENT)),
            Arguments.of(3L, new NatConfig().publicAddresses(POOL).portPreservation(false)
                .filtering(FilteringMode.ENDPOINT_INDEPENDENT)),
            Arguments.of(4L, new NatConfig().publicAddresses(POOL[1]).portParity(false).inboundRefresh(false)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("configurations")
    void shouldRestoreOriginalEndpointsOnTheWayBack(final long seed, final NatConfig config)
    {
        final Random random = new Random(seed);
        final NatHarness nat = new NatHarness(config, workers);
        final Map<Endpoint, Endpoint> publicOfInside = new HashMap<>();
        final Map<Endpoint, Endpoint> insideOfPublic = new HashMap<>();
        final Map<Integer, Integer> publicAddressOfHost = new HashMap<>();
        long nowNs = 0;

        for (int flow = 0; flow < FLOWS; flow++)
        {
            if (flow % EPOCH_FLOWS == 0 && flow > 0)
            {
                nowNs += EPOCH_GAP_NS;
                nat.expire(nowNs);
                assertEquals(0, nat.workers.sessionCount(), "everything expired");
                assertEquals(0, nat.workers.mappingCount());
                assertEquals(0, nat.workers.portsInUse());
                publicOfInside.clear();
                insideOfPublic.clear();
            }
            nowNs += FLOW_INTERVAL_NS;

            final Flow f = Flow.random(random);
            final String context = "seed " + seed + " flow " + flow + ": " + f;
            final byte[] sent = nat.out(f.packet(f.insideAddress, f.insidePort, f.remoteAddress, f.remotePort), nowNs);

            final int publicAddress = Packets.source(sent);
            final int publicPort = f.protocol == 1 ? Packets.icmpIdentifier(sent) : Packets.sourcePort(sent);
            assertArrayEquals(f.packet(publicAddress, publicPort, f.remoteAddress, f.remotePort), sent, context);
            assertTrue(nat.workers.isPublicAddress(publicAddress), context);
            if (f.protocol != 1)
            {
                assertEquals(f.insidePort < 1024, publicPort < 1024, context + " port range");
            }

            final Endpoint inside = new Endpoint(f.protocol, f.insideAddress, f.insidePort);
            final Endpoint outside = new Endpoint(f.protocol, publicAddress, publicPort);
            assertEquals(outside, publicOfInside.computeIfAbsent(inside, key -> outside), context + " mapping");
            assertEquals(inside, insideOfPublic.computeIfAbsent(outside, key -> inside), context + " overloading");
            assertEquals(publicAddress, publicAddressOfHost.computeIfAbsent(f.insideAddress, key -> publicAddress),
                context + " paired pooling");

            if (random.nextInt(5) == 0)
            {
                final int type = random.nextBoolean() ? IcmpMessage.DESTINATION_UNREACHABLE : IcmpMessage.TIME_EXCEEDED;
                // what routers quote: IP header and 8 bytes (RFC 792), or all of it (RFC 1812, up to 576 bytes)
                final int quoted = random.nextBoolean() ? 28 : sent.length;
                nat.assertErrorIn(random.nextBoolean() ? NatHarness.ROUTER : Ipv4.toString(f.remoteAddress), type, 0,
                    sent, f.packet(f.insideAddress, f.insidePort, f.remoteAddress, f.remotePort), quoted, nowNs);
            }
            else
            {
                final byte[] reply = f.reply(f.remoteAddress, f.remotePort, publicAddress, publicPort);
                assertArrayEquals(f.reply(f.remoteAddress, f.remotePort, f.insideAddress, f.insidePort),
                    nat.in(reply, nowNs), context + " reply");
            }
        }
    }

    /**
     * A random flow: protocol, inside and remote endpoints, payload. Few inside hosts and ports, so
     * that endpoints recur and collide.
     */
    record Flow(int protocol, int insideAddress, int insidePort, int remoteAddress, int remotePort, byte[] payload,
        boolean zeroUdpChecksum)
    {
        static Flow random(final Random random)
        {
            final int protocol = switch (random.nextInt(3))
            {
                case 0 -> 17;
                case 1 -> 6;
                default -> 1;
            };
            final int insidePort = random.nextInt(4) == 0 ? 1 + random.nextInt(1023) : 1024 + random.nextInt(40);
            final byte[] payload = new byte[random.nextInt(65)];
            random.nextBytes(payload);
            return new Flow(protocol, ip("10.0.0.0") + 1 + random.nextInt(50), insidePort,
                ip("198.51.100.0") + 1 + random.nextInt(20), 1 + random.nextInt(3), payload, random.nextInt(8) == 0);
        }

        /**
         * @return this flow's packet between the given endpoints (an ICMP echo request uses the source
         * port as its identifier).
         */
        byte[] packet(final int source, final int sourcePort, final int destination, final int destinationPort)
        {
            return switch (protocol)
            {
                case 6 -> Packets.tcp(source, sourcePort, destination, destinationPort, TcpSegment.SYN, payload);
                case 1 -> Packets.icmpEcho(source, destination, IcmpMessage.ECHO_REQUEST, sourcePort, 1);
                default -> udp(source, sourcePort, destination, destinationPort);
            };
        }

        /**
         * @return the reply to this flow's packet between the given endpoints.
         */
        byte[] reply(final int source, final int sourcePort, final int destination, final int destinationPort)
        {
            return switch (protocol)
            {
                case 6 -> Packets.tcp(source, sourcePort, destination, destinationPort, TcpSegment.SYN | TcpSegment.ACK,
                    payload);
                case 1 -> Packets.icmpEcho(source, destination, IcmpMessage.ECHO_REPLY, destinationPort, 1);
                default -> udp(source, sourcePort, destination, destinationPort);
            };
        }

        private byte[] udp(final int source, final int sourcePort, final int destination, final int destinationPort)
        {
            final byte[] datagram = Packets.udp(source, sourcePort, destination, destinationPort, payload);
            return zeroUdpChecksum ? Packets.withShort(datagram, 26, 0) : datagram;
        }

        public String toString()
        {
            return Ipv4Protocols.name(protocol) + " " + Ipv4.toString(insideAddress) + ":" + insidePort + " -> " +
                Ipv4.toString(remoteAddress) + ":" + remotePort + " (" + payload.length + " bytes" +
                (zeroUdpChecksum ? ", no UDP checksum)" : ")");
        }
    }
}
