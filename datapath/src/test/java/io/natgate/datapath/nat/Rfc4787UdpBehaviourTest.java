package io.natgate.datapath.nat;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.INSIDE;
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
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 4787 (NAT behavioural requirements for unicast UDP), one test or more per requirement
 * that applies to the engine. Every translated packet is compared byte for byte with one built
 * from scratch, and its checksums are recomputed from scratch.
 * <p>
 * Not the engine's: REQ-13 (ICMP fragmentation-needed for DF packets larger than the egress MTU)
 * belongs to the Forwarder, which knows the MTU; the engine never changes a packet's length or DF.
 */
@ParameterizedClass(name = "{0} workers")
@ValueSource(ints = {1, 2, 4})
class Rfc4787UdpBehaviourTest
{
    @Parameter
    int workers;

    @Test
    @DisplayName("RFC 4787 REQ-1: endpoint-independent mapping")
    void shouldUseEndpointIndependentMappingForSameInsideEndpointToDifferentRemotes()
    {
        final NatHarness nat = new NatHarness(workers);
        final int publicPort = sourcePort(nat.outWithPortTaken(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0));

        nat.assertUdpOut(HOST_A, 5000, REMOTE_2, 53, publicPort, 1);
        nat.assertUdpOut(HOST_A, 5000, REMOTE_1, 9999, publicPort, 2);
        nat.assertUdpIn(REMOTE_2, 53, publicPort, HOST_A, 5000, 3);
        assertEquals(2, nat.workers.mappingCount());
        assertEquals(4, nat.workers.sessionCount());
    }

    @Test
    @DisplayName("RFC 4787 REQ-2: paired IP address pooling over several public addresses")
    void shouldPairEveryInsideAddressWithOnePublicAddress()
    {
        final String[] pool = {"203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"};
        final int[] poolAddresses = new int[pool.length];
        for (int i = 0; i < pool.length; i++)
        {
            poolAddresses[i] = ip(pool[i]);
        }
        final NatHarness nat = new NatHarness(new NatConfig().publicAddresses(poolAddresses), workers);
        final Set<Integer> usedAddresses = new HashSet<>();
        for (int host = 1; host <= 40; host++)
        {
            final String inside = "10.0.1." + host;
            final Set<Integer> hostAddresses = new HashSet<>();
            for (int port = 4000; port < 4003; port++)
            {
                hostAddresses.add(Packets.source(nat.out(udp(inside, port, REMOTE_1, 53, PAYLOAD), 0)));
                hostAddresses.add(Packets.source(nat.out(udp(inside, port, REMOTE_2, 123, PAYLOAD), 0)));
            }
            hostAddresses.add(Packets.source(nat.out(Packets.tcp(inside, 7000, REMOTE_1, 80, TcpSegment.SYN, new byte[0]), 0)));
            hostAddresses.add(Packets.source(nat.out(
                Packets.icmpEcho(inside, REMOTE_1, IcmpMessage.ECHO_REQUEST, 0x1000 + host, 1), 0)));
            assertEquals(1, hostAddresses.size(), inside + " appeared as " + hostAddresses);
            usedAddresses.addAll(hostAddresses);
        }
        assertTrue(usedAddresses.size() > 1, "the pool is used, not one address: " + usedAddresses);
    }

    @Test
    @DisplayName("RFC 4787 REQ-3: no port overloading; two inside endpoints never share a public port")
    void shouldGiveDistinctPublicPortsToInsideEndpointsSendingToTheSameRemote()
    {
        final NatHarness nat = new NatHarness(workers);
        final int portA = sourcePort(nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0));
        final int portB = sourcePort(nat.out(udp(HOST_B, 5000, REMOTE_1, 53, PAYLOAD), 0));
        assertNotEquals(portA, portB);

        nat.assertUdpIn(REMOTE_1, 53, portA, HOST_A, 5000, 1);
        nat.assertUdpIn(REMOTE_1, 53, portB, HOST_B, 5000, 1);
    }

    @Test
    @DisplayName("RFC 4787 REQ-3 (section 4.2.1): the inside port is preserved when it is free")
    void shouldPreserveInsidePortWhenFree()
    {
        final NatHarness nat = new NatHarness(workers);
        // ports of HOST_A's worker whatever the worker count (WorkerSteeringTest: only those are preserved)
        nat.assertUdpOut(HOST_A, 16_001, REMOTE_1, 53, 16_001, 0);
        nat.assertUdpOut(HOST_B, 123, REMOTE_1, 123, 123, 0);
    }

    @Test
    @DisplayName("RFC 4787 REQ-3a: a port below 1024 maps below 1024, one above 1023 above 1023")
    void shouldKeepAllocatedPortInTheInsidePortRange()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().portPreservation(false), workers);
        final int[] insidePorts = {1, 80, 123, 500, 1023, 1024, 5000, 5001, 40_000, 65_535};
        for (int i = 0; i < insidePorts.length; i++)
        {
            for (int host = 1; host <= 3; host++)
            {
                final int insidePort = insidePorts[i];
                final int publicPort = sourcePort(nat.out(udp("10.0.2." + host, insidePort, REMOTE_1, 53, PAYLOAD), 0));
                assertEquals(insidePort < 1024, publicPort < 1024, insidePort + " mapped to " + publicPort);
                assertNotEquals(0, publicPort);
            }
        }
        assertEquals(insidePorts.length * 3, nat.workers.portsInUse());
    }

    @Test
    @DisplayName("RFC 4787 REQ-3a: a taken privileged port is replaced by another privileged port")
    void shouldAllocatePrivilegedPortWhenPreservedPortIsTaken()
    {
        final NatHarness nat = new NatHarness(workers);
        final int publicPort = sourcePort(nat.outWithPortTaken(udp(HOST_A, 123, REMOTE_1, 123, PAYLOAD), 0));
        assertTrue(publicPort > 0 && publicPort < 1024, "allocated " + publicPort);
        nat.assertUdpIn(REMOTE_1, 123, publicPort, HOST_A, 123, 0);
    }

    @Test
    @DisplayName("RFC 4787 REQ-4: port parity is preserved")
    void shouldPreservePortParityWhenAllocating()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().portPreservation(false), workers);
        for (int host = 1; host <= 20; host++)
        {
            for (final int insidePort : new int[] {5004, 5005, 800, 801})
            {
                final int publicPort = sourcePort(nat.out(udp("10.0.3." + host, insidePort, REMOTE_1, 53, PAYLOAD), 0));
                assertEquals(insidePort & 1, publicPort & 1, insidePort + " mapped to " + publicPort);
            }
        }
    }

    @Test
    @DisplayName("RFC 4787 REQ-4: parity is kept when the preserved port is taken")
    void shouldPreserveParityWhenPreservedPortIsTaken()
    {
        final NatHarness nat = new NatHarness(workers);
        assertEquals(1, sourcePort(nat.outWithPortTaken(udp(HOST_A, 5005, REMOTE_1, 53, PAYLOAD), 0)) & 1);
        assertEquals(0, sourcePort(nat.outWithPortTaken(udp(HOST_A, 5004, REMOTE_1, 53, PAYLOAD), 0)) & 1);
    }

    @Test
    @DisplayName("RFC 4787 REQ-5: a UDP mapping lives at least 2 minutes and expires after its timeout")
    void shouldKeepUdpMappingForTwoMinutesAndExpireItAfter()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().udpTimeoutNs(2 * MINUTE_NS), workers);
        final long startNs = 5 * SECOND_NS;
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), startNs);

        nat.expire(startNs + 2 * MINUTE_NS - 1);
        assertEquals(1, nat.workers.sessionCount(), "not expired a nanosecond before two minutes");
        assertEquals(1, nat.workers.mappingCount());

        nat.expire(startNs + 2 * MINUTE_NS);
        assertEquals(0, nat.workers.sessionCount());
        assertEquals(0, nat.workers.mappingCount());
        assertEquals(0, nat.workers.portsInUse());
        assertEquals(1, nat.counter(GlobalCounter.SESSIONS_EXPIRED));
        assertEquals(new NatHarness.MappingEvent(NatHarness.EventType.EXPIRED, startNs + 2 * MINUTE_NS, 17, ip(HOST_A),
            5000, ip(PUBLIC), 5000, -1), nat.events.mappingEvents.getLast());
        nat.assertDropsIn(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), DropReason.NO_MAPPING, startNs + 2 * MINUTE_NS);
    }

    @Test
    @DisplayName("RFC 4787 REQ-5: UDP timeouts below 2 minutes are refused; the default is 5 minutes (REQ-5c)")
    void shouldRefuseUdpTimeoutBelowTwoMinutes()
    {
        assertThrows(ConfigurationException.class,
            () -> NatHarness.config().udpTimeoutNs(2 * MINUTE_NS - 1).validate());
        assertTrue(NatHarness.config().udpTimeoutNs() >= 5 * MINUTE_NS);
    }

    @Test
    @DisplayName("RFC 4787 REQ-6: outbound traffic refreshes the mapping")
    void shouldRefreshMappingOnOutboundTraffic()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().udpTimeoutNs(2 * MINUTE_NS).inboundRefresh(false), workers);
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), MINUTE_NS);

        nat.expire(3 * MINUTE_NS - 1);
        assertEquals(1, nat.workers.sessionCount(), "refreshed at one minute, so alive until three");
        nat.expire(3 * MINUTE_NS);
        assertEquals(0, nat.workers.sessionCount());
    }

    @Test
    @DisplayName("RFC 4787 REQ-6a: inbound refresh is a configuration choice")
    void shouldRefreshMappingOnInboundTrafficOnlyWhenConfigured()
    {
        for (final boolean inboundRefresh : new boolean[] {true, false})
        {
            final NatHarness nat = new NatHarness(
                NatHarness.config().udpTimeoutNs(2 * MINUTE_NS).inboundRefresh(inboundRefresh), workers);
            nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
            nat.in(udp(REMOTE_1, 53, PUBLIC, 5000, PAYLOAD), MINUTE_NS);

            nat.expire(2 * MINUTE_NS);
            assertEquals(inboundRefresh ? 1 : 0, nat.workers.sessionCount(), "inbound refresh " + inboundRefresh);
        }
    }

    @Test
    @DisplayName("RFC 4787 REQ-7: remotes whose addresses overlap the inside network are translated")
    void shouldTranslateForRemoteWhoseAddressOverlapsInsideNetwork()
    {
        final NatHarness nat = new NatHarness(workers);
        final String overlapping = "10.0.0.9";
        nat.assertUdpOut(HOST_A, 5000, overlapping, 53, 5000, 0);
        nat.assertUdpIn(overlapping, 53, 5000, HOST_A, 5000, 1);
    }

    @Test
    @DisplayName("RFC 4787 REQ-8: endpoint-independent filtering admits any remote endpoint")
    void shouldAdmitAnyRemoteWithEndpointIndependentFiltering()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT), workers);
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.assertUdpIn(REMOTE_2, 7777, 5000, HOST_A, 5000, 1);
        nat.assertUdpIn(REMOTE_1, 9999, 5000, HOST_A, 5000, 1);
        assertEquals(3, nat.workers.sessionCount());
    }

    @Test
    @DisplayName("RFC 4787 REQ-8: address-dependent filtering admits only addresses sent to (the default)")
    void shouldAdmitOnlyContactedAddressesWithAddressDependentFiltering()
    {
        assertEquals(FilteringMode.ADDRESS_DEPENDENT, NatHarness.config().filtering());
        final NatHarness nat = new NatHarness(workers);
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.assertUdpIn(REMOTE_1, 9999, 5000, HOST_A, 5000, 1);
        nat.assertDropsIn(udp(REMOTE_2, 53, PUBLIC, 5000, PAYLOAD), DropReason.FILTERED, 1);
    }

    @Test
    @DisplayName("RFC 4787 REQ-8: address-and-port-dependent filtering admits only endpoints sent to")
    void shouldAdmitOnlyContactedEndpointsWithAddressAndPortDependentFiltering()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ADDRESS_AND_PORT_DEPENDENT), workers);
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        nat.assertUdpIn(REMOTE_1, 53, 5000, HOST_A, 5000, 1);
        nat.assertDropsIn(udp(REMOTE_1, 9999, PUBLIC, 5000, PAYLOAD), DropReason.FILTERED, 1);
        nat.assertDropsIn(udp(REMOTE_2, 53, PUBLIC, 5000, PAYLOAD), DropReason.FILTERED, 1);

        nat.out(udp(HOST_A, 5000, REMOTE_1, 9999, PAYLOAD), 2);
        nat.assertUdpIn(REMOTE_1, 9999, 5000, HOST_A, 5000, 3);
    }

    @Test
    @DisplayName("RFC 4787 REQ-9: hairpinning, with the sender's external source address and port (REQ-9a)")
    void shouldHairpinWithExternalSourceAddressAndPort()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT), workers);
        final int portA = sourcePort(nat.outWithPortTaken(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0));
        nat.out(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), 0);

        nat.assertHairpin(udp(HOST_A, 5000, PUBLIC, 6000, PAYLOAD), udp(PUBLIC, portA, HOST_B, 6000, PAYLOAD), 1);
        nat.assertHairpin(udp(HOST_B, 6000, PUBLIC, portA, PAYLOAD), udp(PUBLIC, 6000, HOST_A, 5000, PAYLOAD), 2);
    }

    @ParameterizedTest
    @EnumSource(FilteringMode.class)
    @DisplayName("RFC 4787 REQ-9 (RFC 5780 hairpinning probe): an inside host's hairpinned datagram passes the target "
        + "mapping's filter in every filtering mode; outsiders are still filtered")
    void shouldPassHairpinnedPacketsFromInsideHostsThroughEveryFilter(final FilteringMode filtering)
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(filtering), workers);
        nat.out(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), 0);

        // A has never sent to B's public endpoint's owner, and B has never sent to A's public address
        nat.assertHairpin(udp(HOST_A, 5000, PUBLIC, 6000, PAYLOAD), udp(PUBLIC, 5000, HOST_B, 6000, PAYLOAD), 1);
        if (filtering != FilteringMode.ENDPOINT_INDEPENDENT)
        {
            nat.assertDropsIn(udp(REMOTE_2, 53, PUBLIC, 6000, PAYLOAD), DropReason.FILTERED, 2);
        }
    }

    @Test
    @DisplayName("RFC 4787 REQ-10: no ALG; payloads carrying inside endpoints pass untouched")
    void shouldNotRewritePayloadCarryingTheInsideEndpoint()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] sip = "SIP/2.0 Contact: <sip:a@10.0.0.2:5000>;".getBytes(StandardCharsets.US_ASCII);
        final byte[] binary = {10, 0, 0, 2, 0x13, (byte)0x88}; // 10.0.0.2 and port 5000 as a STUN-like attribute
        final byte[] text = java.util.Arrays.copyOf(sip, sip.length + binary.length);
        System.arraycopy(binary, 0, text, sip.length, binary.length);
        nat.assertOut(udp(HOST_A, 5000, REMOTE_1, 5060, text), udp(PUBLIC, 5000, REMOTE_1, 5060, text), 0);
    }

    @Test
    @DisplayName("RFC 4787 REQ-11: deterministic translation and filtering")
    void shouldTranslateTheSameTrafficIdenticallyEveryTime()
    {
        final List<byte[]> script = new ArrayList<>();
        final Random random = new Random(4787);
        for (int i = 0; i < 500; i++)
        {
            final String host = "10.0.4." + (1 + random.nextInt(20));
            final String remote = random.nextBoolean() ? REMOTE_1 : REMOTE_2;
            script.add(udp(host, 1000 + random.nextInt(8), remote, 53 + random.nextInt(3), PAYLOAD));
        }
        final List<byte[]> first = replay(script);
        final List<byte[]> second = replay(script);
        for (int i = 0; i < script.size(); i++)
        {
            assertArrayEquals(first.get(i), second.get(i), "packet " + i);
        }
    }

    private List<byte[]> replay(final List<byte[]> script)
    {
        final NatHarness nat = new NatHarness(NatHarness.config().portPreservation(false), workers);
        final List<byte[]> translated = new ArrayList<>();
        long nowNs = 0;
        for (final byte[] packet : script)
        {
            translated.add(nat.out(packet, nowNs += SECOND_NS));
            final byte[] reply = udp(Packets.destination(packet), Packets.destinationPort(packet), ip(PUBLIC),
                sourcePort(translated.getLast()), PAYLOAD);
            translated.add(nat.in(reply, nowNs));
        }
        return translated;
    }

    @Test
    @DisplayName("RFC 4787 REQ-12: an ICMP error neither ends nor refreshes the mapping, whoever sends it (REQ-12a)")
    void shouldKeepMappingWhenIcmpErrorsArrive()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[] sent = nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), 0);
        final NatHarness.Session before = nat.onlySession();

        final byte[] original = udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD);
        nat.assertIn(icmpError(REMOTE_1, PUBLIC, IcmpMessage.DESTINATION_UNREACHABLE, 3, sent),
            icmpError(REMOTE_1, HOST_A, IcmpMessage.DESTINATION_UNREACHABLE, 3, original), 10 * SECOND_NS);
        nat.assertIn(icmpError(ROUTER, PUBLIC, IcmpMessage.TIME_EXCEEDED, 0, sent),
            icmpError(ROUTER, HOST_A, IcmpMessage.TIME_EXCEEDED, 0, original), 20 * SECOND_NS);
        nat.assertDropsIn(Packets.icmpEcho(REMOTE_1, PUBLIC, IcmpMessage.ECHO_REQUEST, 5000, 1),
            DropReason.NO_MAPPING, 30 * SECOND_NS);

        assertEquals(before, nat.onlySession(), "same session, same deadline");
        nat.assertUdpIn(REMOTE_1, 53, 5000, HOST_A, 5000, 40 * SECOND_NS);
    }

    // ------------------------------------------------------------------------------------------------------------
    // REQ-14: fragments
    // ------------------------------------------------------------------------------------------------------------

    private static final byte[] LONG_PAYLOAD = new byte[64];

    static
    {
        for (int i = 0; i < LONG_PAYLOAD.length; i++)
        {
            LONG_PAYLOAD[i] = (byte)(i * 7);
        }
    }

    @Test
    @DisplayName("RFC 4787 REQ-14: the first fragment creates the mapping, later ones follow it, both ways")
    void shouldTranslateInOrderFragmentsBothWays()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[][] fragments = Packets.fragment(udp(HOST_A, 5000, REMOTE_1, 53, LONG_PAYLOAD), 24);
        final byte[][] expected = Packets.fragment(udp(PUBLIC, 5000, REMOTE_1, 53, LONG_PAYLOAD), 24);
        assertEquals(3, fragments.length);
        for (int i = 0; i < fragments.length; i++)
        {
            nat.assertOut(fragments[i], expected[i], i);
        }
        assertEquals(1, nat.workers.mappingCount());

        final byte[][] replies = Packets.fragment(udp(REMOTE_1, 53, PUBLIC, 5000, LONG_PAYLOAD), 32);
        final byte[][] expectedReplies = Packets.fragment(udp(REMOTE_1, 53, HOST_A, 5000, LONG_PAYLOAD), 32);
        for (int i = 0; i < replies.length; i++)
        {
            nat.assertIn(replies[i], expectedReplies[i], 10 + i);
        }
        assertEquals(1, nat.workers.sessionCount());
    }

    @Test
    @DisplayName("RFC 4787 REQ-14: fragments before their first fragment are held, then released and translated")
    void shouldHoldOutOfOrderFragmentsUntilTheFirstArrives()
    {
        final NatHarness nat = new NatHarness(workers);
        final byte[][] fragments = Packets.fragment(udp(HOST_A, 5000, REMOTE_1, 53, LONG_PAYLOAD), 24);
        final byte[][] expected = Packets.fragment(udp(PUBLIC, 5000, REMOTE_1, 53, LONG_PAYLOAD), 24);

        assertEquals(NatEngine.HELD, nat.outbound(fragments[2].clone(), 0));
        assertEquals(NatEngine.HELD, nat.outbound(fragments[1].clone(), 1));
        assertEquals(2, nat.counter(GlobalCounter.FRAGMENTS_BUFFERED));
        assertEquals(0, nat.workers.sessionCount(), "a later fragment creates nothing");

        nat.assertOut(fragments[0], expected[0], 2);
        final List<byte[]> released = nat.releasedFragments();
        assertEquals(2, released.size());
        final Set<String> translated = new HashSet<>();
        for (final byte[] fragment : released)
        {
            translated.add(java.util.Arrays.toString(nat.out(fragment, 3)));
        }
        assertEquals(Set.of(java.util.Arrays.toString(expected[1]), java.util.Arrays.toString(expected[2])), translated);
        assertEquals(0, nat.workers.pollReleasedFragment(new org.agrona.concurrent.UnsafeBuffer(new byte[64]), 0));
    }

    @Test
    @DisplayName("RFC 4787 REQ-14a: a full hold buffer drops fragments, and unfragmented traffic still flows")
    void shouldDropFragmentsWhenHoldBufferIsFullAndKeepTranslatingOthers()
    {
        // one slot, on the hosts' worker (with several workers inbound fragments are held by the steering,
        // its own bounded buffer: WorkerSteeringTest)
        final NatHarness nat = new NatHarness(NatHarness.config().maxHeldFragments(1), workers);
        assertEquals(NatEngine.HELD,
            nat.outbound(Packets.fragment(udp("10.0.5.3", 5000, REMOTE_1, 53, LONG_PAYLOAD), 24)[1], 0));
        final byte[] oneTooMany = Packets.fragment(udp(HOST_A, 5000, REMOTE_1, 53, LONG_PAYLOAD), 24)[1];
        nat.assertDropsOut(oneTooMany, DropReason.FRAGMENT_BUFFER_FULL, 0);

        nat.assertUdpOut(HOST_B, 5000, REMOTE_1, 53, 5000, 1);
    }

    @Test
    @DisplayName("RFC 4787 REQ-14a: held fragments whose first never comes are dropped at the timeout and counted")
    void shouldCountHeldFragmentsThatTimeOut()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().fragmentTimeoutNs(2 * SECOND_NS), workers);
        final byte[][] fragments = Packets.fragment(udp(HOST_A, 5000, REMOTE_1, 53, LONG_PAYLOAD), 24);
        assertEquals(NatEngine.HELD, nat.outbound(fragments[1].clone(), 0));
        assertEquals(NatEngine.HELD, nat.outbound(fragments[2].clone(), SECOND_NS));

        nat.expire(2 * SECOND_NS);
        assertEquals(1, nat.counter(INSIDE, DropReason.FRAGMENT_TIMEOUT));
        nat.expire(3 * SECOND_NS);
        assertEquals(2, nat.counter(INSIDE, DropReason.FRAGMENT_TIMEOUT));

        nat.out(fragments[0], 4 * SECOND_NS);
        assertTrue(nat.releasedFragments().isEmpty(), "nothing left to release");
    }

    @Test
    @DisplayName("RFC 4787 REQ-14 with REQ-9: fragments of a hairpinned datagram, out of order")
    void shouldHairpinOutOfOrderFragments()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT), workers);
        nat.out(udp(HOST_B, 6000, REMOTE_1, 53, PAYLOAD), 0);
        final byte[][] fragments = Packets.fragment(udp(HOST_A, 5000, PUBLIC, 6000, LONG_PAYLOAD), 24);
        final byte[][] expected = Packets.fragment(udp(PUBLIC, 5000, HOST_B, 6000, LONG_PAYLOAD), 24);

        nat.assertHairpinsFragmentsOutOfOrder(fragments, expected);
    }
}
