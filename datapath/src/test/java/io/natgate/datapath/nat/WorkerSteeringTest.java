package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.frame.IcmpMessage;
import io.natgate.datapath.frame.TcpSegment;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.PUBLIC;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.REMOTE_2;
import static io.natgate.datapath.nat.NatHarness.ROUTER;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.sourcePort;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many workers: the port split, and every flow's packets, both ways, ICMP errors and fragments included,
 * reaching the one worker that owns the flow; quotas per client, hairpins and static mappings across
 * workers. The owner is checked against the documented formulas ({@code docs/workers.md}), written out
 * here again, and against where the flow's session actually lives.
 */
class WorkerSteeringTest
{
    /** The documented steering hash, independently of {@link WorkerSteering}. */
    private static int expectedInsideWorker(final int address, final int workers)
    {
        long h = (address * 0x9E3779B1L) & 0xFFFF_FFFFL;
        h ^= h >>> 16;
        return (int)(((h & 0xFFFF) * workers) >> 16);
    }

    /** The documented port split. */
    private static int expectedPortOwner(final int port, final int workers)
    {
        return port < 1024 ? (port == 0 ? 0 : (port - 1) * workers / 1023) : (port - 1024) * workers / 64_512;
    }

    /**
     * @return an inside host (10.0.9.x and on) whose worker is {@code worker}.
     */
    private static String hostOn(final int worker, final int workers, final int skip)
    {
        int found = 0;
        for (int host = 1; ; host++)
        {
            final String address = "10.0." + (9 + host / 250) + "." + (1 + host % 250);
            if (expectedInsideWorker(ip(address), workers) == worker && found++ == skip)
            {
                return address;
            }
        }
    }

    @ParameterizedTest(name = "{0} workers")
    @ValueSource(ints = {1, 2, 3, 4, 7, 16, 256})
    void shouldSplitEveryPortIntoOneContiguousRangePerWorkerOnEachSideOf1024(final int workers)
    {
        final WorkerPorts ports = new WorkerPorts(workers);
        for (int port = 1; port <= 65_535; port++)
        {
            final int owner = ports.owner(port);
            assertEquals(expectedPortOwner(port, workers), owner, "owner of " + port);
            final boolean privileged = port < 1024;
            assertTrue(port >= (privileged ? ports.privilegedLow(owner) : ports.dynamicLow(owner)), "port " + port);
            assertTrue(port <= (privileged ? ports.privilegedHigh(owner) : ports.dynamicHigh(owner)), "port " + port);
        }
        for (int worker = 0; worker < workers; worker++)
        {
            final int privileged = ports.privilegedHigh(worker) - ports.privilegedLow(worker) + 1;
            final int dynamic = ports.dynamicHigh(worker) - ports.dynamicLow(worker) + 1;
            assertTrue(Math.abs(privileged - 1023 / workers) <= 1, "privileged ports of " + worker + ": " + privileged);
            assertTrue(Math.abs(dynamic - 64_512 / workers) <= 1, "ports of " + worker + ": " + dynamic);
        }
        assertEquals(1, ports.privilegedLow(0));
        assertEquals(65_535, ports.dynamicHigh(workers - 1));
    }

    @Test
    void shouldSteerInsideHostsByTheDocumentedHashAndSpreadThem()
    {
        final WorkerSteering steering = new WorkerSteering(4);
        final int[] perWorker = new int[4];
        for (int host = 0; host < 4096; host++)
        {
            final int address = ip("10.0.0.0") + host;
            final int worker = steering.insideWorker(address);
            assertEquals(expectedInsideWorker(address, 4), worker);
            perWorker[worker]++;
        }
        for (final int count : perWorker)
        {
            assertTrue(count > 4096 / 4 * 0.9 && count < 4096 / 4 * 1.1, "hosts per worker " + count);
        }
    }

    @Test
    void shouldAllocateEveryClientsPortsFromItsOwnWorkersRangesOnly()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().portPreservation(false), 4);
        final Random random = new Random(15);
        for (int flow = 0; flow < 2000; flow++)
        {
            final String host = "10.0.7." + (1 + random.nextInt(200));
            final int insidePort = random.nextInt(4) == 0 ? 1 + random.nextInt(1023) : 1024 + random.nextInt(60_000);
            final int publicPort = sourcePort(nat.out(udp(host, insidePort, REMOTE_1, 53, PAYLOAD), flow));
            assertEquals(expectedInsideWorker(ip(host), 4), expectedPortOwner(publicPort, 4),
                host + ":" + insidePort + " got " + publicPort);
            assertEquals(insidePort < 1024, publicPort < 1024, "REQ-3a range kept within the worker's ranges");
        }
    }

    @Test
    void shouldPreserveThePortOnlyWhereItLiesInTheClientsWorkersRange()
    {
        final NatHarness nat = new NatHarness(2);
        final String host = hostOn(1, 2, 0);
        final int theirs = 5000;     // worker 0's
        final int ours = 40_000;     // worker 1's
        assertEquals(ours, sourcePort(nat.out(udp(host, ours, REMOTE_1, 53, PAYLOAD), 0)));
        final int allocated = sourcePort(nat.out(udp(host, theirs, REMOTE_1, 53, PAYLOAD), 0));
        assertEquals(1, expectedPortOwner(allocated, 2), "allocated from worker 1's range: " + allocated);
    }

    @ParameterizedTest(name = "{0} workers")
    @ValueSource(ints = {1, 2, 4})
    void shouldSteerEveryPacketOfAFlowBothWaysWithItsErrorsAndFragmentsToTheWorkerHoldingItsSession(final int workers)
    {
        final NatHarness nat = new NatHarness(NatHarness.config().filtering(FilteringMode.ENDPOINT_INDEPENDENT), workers);
        final Random random = new Random(workers);
        final byte[] longPayload = new byte[120];
        final Set<Integer> workersUsed = new HashSet<>();
        long nowNs = 0;
        for (int flow = 0; flow < 600; flow++)
        {
            nowNs += 1_000_000;
            final int insideAddress = ip("10.0.8.0") + 1 + random.nextInt(100);
            final int insidePort = 1024 + random.nextInt(20_000);
            final int remote = ip("198.51.100.0") + 1 + random.nextInt(30);
            final int remotePort = 1 + random.nextInt(1000);
            final int kind = random.nextInt(4);
            final List<Integer> steered = new ArrayList<>();

            final byte[] first = switch (kind)
            {
                case 0 -> Packets.tcp(insideAddress, insidePort, remote, remotePort, TcpSegment.SYN, PAYLOAD);
                case 1 -> Packets.icmpEcho(insideAddress, remote, IcmpMessage.ECHO_REQUEST, insidePort, 1);
                default -> udp(insideAddress, insidePort, remote, remotePort, PAYLOAD);
            };
            final byte[] sent = nat.out(first, nowNs);
            steered.add(nat.workers.lastWorker());
            final int publicAddress = Packets.source(sent);
            final int publicPort = kind == 1 ? Packets.icmpIdentifier(sent) : sourcePort(sent);

            // the reply, and an error about what went out from a router on the way
            final byte[] reply = switch (kind)
            {
                case 0 -> Packets.tcp(remote, remotePort, publicAddress, publicPort, TcpSegment.SYN | TcpSegment.ACK,
                    PAYLOAD);
                case 1 -> Packets.icmpEcho(remote, publicAddress, IcmpMessage.ECHO_REPLY, publicPort, 1);
                default -> udp(remote, remotePort, publicAddress, publicPort, PAYLOAD);
            };
            nat.in(reply, nowNs);
            steered.add(nat.workers.lastWorker());
            nat.in(Packets.icmpError(ip(ROUTER), publicAddress, IcmpMessage.DESTINATION_UNREACHABLE, 0, sent, 28),
                nowNs);
            steered.add(nat.workers.lastWorker());

            if (kind >= 2)
            {
                // an error from the inside host about the reply it got, and fragmented datagrams both ways
                final byte[] delivered = udp(remote, remotePort, insideAddress, insidePort, PAYLOAD);
                nat.out(Packets.icmpError(insideAddress, remote, IcmpMessage.DESTINATION_UNREACHABLE, 3, delivered, 28),
                    nowNs);
                steered.add(nat.workers.lastWorker());
                // each datagram its own identification, as senders number them
                for (final byte[] fragment : Packets.fragment(Packets.withShort(udp(insideAddress, insidePort, remote,
                    remotePort, longPayload), 4, 2 * flow), 48))
                {
                    nat.out(fragment, nowNs);
                    steered.add(nat.workers.lastWorker());
                }
                final byte[][] fragments = Packets.fragment(Packets.withShort(udp(remote, remotePort, publicAddress,
                    publicPort, longPayload), 4, 2 * flow + 1), 48);
                final boolean reversed = kind == 3; // later fragments first: held by the steering, then released
                for (int i = 0; i < fragments.length; i++)
                {
                    final byte[] fragment = fragments[reversed ? fragments.length - 1 - i : i];
                    final int result = nat.inbound(fragment.clone(), nowNs);
                    assertEquals(reversed && i < fragments.length - 1 ? NatEngine.HELD : NatEngine.FORWARD, result,
                        "inbound fragment " + i);
                    if (result == NatEngine.FORWARD)
                    {
                        steered.add(nat.workers.lastWorker());
                    }
                }
                for (final byte[] released : nat.releasedFragments())
                {
                    nat.in(released, nowNs);
                    steered.add(nat.workers.lastWorker());
                }
            }

            final int owner = ownerOfSession(nat, kind == 1 ? 1 : kind == 0 ? 6 : 17, insideAddress, insidePort);
            assertEquals(expectedInsideWorker(insideAddress, workers), owner, "flow " + flow);
            for (final int worker : steered)
            {
                assertEquals(owner, worker, "flow " + flow + " (kind " + kind + ") packets went to " + steered);
            }
            workersUsed.add(owner);
        }
        assertEquals(workers, workersUsed.size(), "every worker owns flows");
    }

    private static int ownerOfSession(final NatHarness nat, final int protocol, final int insideAddress, final int insidePort)
    {
        int owner = -1;
        for (int worker = 0; worker < nat.workers.workers(); worker++)
        {
            final int[] found = {0};
            nat.workers.engine(worker).forEachSession((p, ia, ip, pa, pp, ra, rp, deadline, flags, kind) ->
                found[0] += p == protocol && ia == insideAddress && ip == insidePort ? 1 : 0);
            if (found[0] > 0)
            {
                assertEquals(-1, owner, "the flow has sessions on two workers");
                owner = worker;
            }
        }
        return owner;
    }

    @Test
    void shouldHoldPerClientQuotasWhateverWorkerTheClientIsOn()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().portsPerClient(10).sessionsPerClient(0), 4);
        for (int worker = 0; worker < 4; worker++)
        {
            final String host = hostOn(worker, 4, 0);
            int forwarded = 0;
            for (int port = 2000; port < 2030; port++)
            {
                final int result = nat.outbound(udp(host, port, REMOTE_1, 53, PAYLOAD), 0);
                if (result == NatEngine.FORWARD)
                {
                    forwarded++;
                }
                else
                {
                    assertEquals(NatEngine.drop(DropReason.CLIENT_PORT_QUOTA), result);
                }
            }
            assertEquals(10, forwarded, host + " on worker " + worker);
        }
        assertEquals(40, nat.workers.mappingCount());
    }

    @Test
    void shouldHairpinBetweenHostsOnDifferentWorkersThroughAHandoff()
    {
        final NatHarness nat = new NatHarness(2);
        final String hostA = hostOn(0, 2, 0);
        final String hostB = hostOn(1, 2, 0);
        final int portA = 5000;     // worker 0's, preserved
        final int portB = 40_000;   // worker 1's, preserved
        nat.assertUdpOut(hostB, portB, REMOTE_1, 53, portB, 0);

        nat.assertHairpin(udp(hostA, portA, PUBLIC, portB, PAYLOAD), udp(PUBLIC, portA, hostB, portB, PAYLOAD), 1);
        nat.assertHairpin(udp(hostB, portB, PUBLIC, portA, PAYLOAD), udp(PUBLIC, portB, hostA, portA, PAYLOAD), 2);
        assertEquals(1, nat.workerCounters[0].get(GlobalCounter.WORKER_HANDOFFS), "A's worker handed to B's");
        assertEquals(1, nat.workerCounters[1].get(GlobalCounter.WORKER_HANDOFFS), "B's worker handed to A's");
        assertEquals(expectedPortOwner(portA, 2), expectedInsideWorker(ip(hostA), 2));
    }

    @Test
    void shouldHandEveryFragmentOfAHairpinnedDatagramToTheDestinationsWorkerInAnyOrder()
    {
        final NatHarness nat = new NatHarness(2);
        final String hostA = hostOn(0, 2, 0);
        final String hostB = hostOn(1, 2, 0);
        nat.out(udp(hostB, 40_000, REMOTE_1, 53, PAYLOAD), 0);
        final byte[] longPayload = new byte[60];
        final byte[][] fragments = Packets.fragment(udp(hostA, 5000, PUBLIC, 40_000, longPayload), 24);
        final byte[][] expected = Packets.fragment(udp(PUBLIC, 5000, hostB, 40_000, longPayload), 24);
        nat.assertHairpinsFragmentsOutOfOrder(fragments, expected);
        assertEquals(3, nat.workerCounters[0].get(GlobalCounter.WORKER_HANDOFFS), "each fragment handed over");
    }

    @Test
    void shouldFindAStaticMappingFromOutsideWhateverWorkerOwnsItsPortsRange()
    {
        final NatHarness nat = new NatHarness(2);
        final String server = hostOn(1, 2, 0);
        final int forwardedPort = 8080; // in worker 0's range, the operator's choice
        assertEquals(0, expectedPortOwner(forwardedPort, 2));
        nat.command(0, commands -> commands.addStaticMapping(1, 17, ip(server), 53, ip(PUBLIC), forwardedPort));
        assertEquals(CommandStatus.OK, nat.lastCompletion().status());

        nat.assertUdpIn(REMOTE_2, 4444, forwardedPort, server, 53, 1);
        assertEquals(1, nat.workers.lastWorker(), "steered to the server's worker");
        nat.assertUdpOut(server, 53, REMOTE_2, 4444, forwardedPort, 2);

        // worker 0 never hands the port out, even to a client preserving it
        final String client = hostOn(0, 2, 0);
        assertNotEquals(forwardedPort, sourcePort(nat.out(udp(client, forwardedPort, REMOTE_1, 53, PAYLOAD), 3)));

        nat.command(4, commands -> commands.removeStaticMapping(2, 17, ip(PUBLIC), forwardedPort));
        assertEquals(CommandStatus.OK, nat.lastCompletion().status());
        assertEquals(forwardedPort, sourcePort(nat.out(udp(hostOn(0, 2, 1), forwardedPort, REMOTE_1, 53, PAYLOAD), 5)),
            "worker 0 has its port back");
    }

    @Test
    void shouldRefuseAStaticMappingOnAPortAnotherWorkerHasInUse()
    {
        final NatHarness nat = new NatHarness(2);
        final String client = hostOn(0, 2, 0);
        nat.assertUdpOut(client, 8080, REMOTE_1, 53, 8080, 0);
        nat.command(1, commands -> commands.addStaticMapping(1, 17, ip(hostOn(1, 2, 0)), 53, ip(PUBLIC), 8080));
        assertEquals(CommandStatus.PUBLIC_ENDPOINT_IN_USE, nat.lastCompletion().status());
        assertEquals(1, nat.workers.mappingCount());
    }

    @Test
    void shouldRestoreADynamicMappingOnlyOnTheWorkerOwningItsPort()
    {
        final NatHarness nat = new NatHarness(2);
        final String host = hostOn(1, 2, 0);
        assertEquals(CommandStatus.OTHER_WORKERS_PORT,
            nat.workers.restoreMapping(17, ip(host), 5000, ip(PUBLIC), 5000, MappingKind.DYNAMIC, 1));
        assertEquals(CommandStatus.OK,
            nat.workers.restoreMapping(17, ip(host), 5000, ip(PUBLIC), 40_000, MappingKind.DYNAMIC, 1));
        nat.assertUdpOut(host, 5000, REMOTE_1, 53, 40_000, 0);
        nat.assertUdpIn(REMOTE_1, 53, 40_000, host, 5000, 0);
    }

    @Test
    void shouldReplicateASessionOnlyOnTheWorkerOwningItsPort()
    {
        final NatHarness nat = new NatHarness(2);
        final String host = hostOn(1, 2, 0);
        nat.command(0, commands -> ((NatWorkers)commands).replicateSession(
            1, 17, ip(host), 5000, ip(PUBLIC), 5000, ip(REMOTE_1), 53, 0));
        assertEquals(CommandStatus.OTHER_WORKERS_PORT, nat.lastCompletion().status());
        nat.command(0, commands -> ((NatWorkers)commands).replicateSession(
            2, 17, ip(host), 5000, ip(PUBLIC), 40_000, ip(REMOTE_1), 53, 0));
        assertEquals(CommandStatus.OK, nat.lastCompletion().status());
        nat.assertUdpIn(REMOTE_1, 53, 40_000, host, 5000, 1);
    }

    @Test
    void shouldBoundAndCountLaterFragmentsTheSteeringHolds()
    {
        final NatHarness nat = new NatHarness(NatHarness.config().maxHeldFragments(2)
            .fragmentTimeoutNs(NatHarness.SECOND_NS), 2);
        final byte[] longPayload = new byte[120];
        // the steering holds inbound fragments only: half the slots, as a worker gives each side
        assertEquals(NatEngine.HELD,
            nat.inbound(Packets.fragment(udp(REMOTE_1, 53, PUBLIC, 5000, longPayload), 48)[1], 0));
        assertEquals(NatEngine.drop(DropReason.FRAGMENT_SHARE),
            nat.inbound(Packets.fragment(udp(REMOTE_2, 53, PUBLIC, 40_000, longPayload), 48)[2], 0));
        assertEquals(1, nat.counter(GlobalCounter.FRAGMENTS_BUFFERED));
        nat.expire(NatHarness.SECOND_NS);
        assertEquals(1, nat.counter(NatHarness.OUTSIDE, DropReason.FRAGMENT_TIMEOUT));
    }
}
