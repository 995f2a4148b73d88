package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.frame.EthernetFrame;
import io.natgate.datapath.nat.FlowSteering;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.WorkerSteering;
import io.natgate.datapath.testing.Packets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.natgate.datapath.testing.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rx side's choice of worker for whole frames: Ethernet with and without a VLAN tag, raw IP, ARP
 * replies to every worker and everything else that is not IPv4 to worker 0.
 */
class FrameSteeringTest
{
    private static final int INSIDE = 0;
    private static final int OUTSIDE = 1;
    private static final byte[] PAYLOAD = {1, 2, 3, 4};

    private final WorkerSteering steering = new WorkerSteering(4);
    private final FrameSteering frames = new FrameSteering(
        new FlowSteering(steering, new NatConfig().publicAddresses(ip("203.0.113.1")), new DatapathCounters(2)),
        new boolean[] {true, false});

    private static UnsafeBuffer ethernet(final int etherType, final int vlan, final byte[] payload)
    {
        final int header = vlan == 0 ? EthernetFrame.HEADER_LENGTH : EthernetFrame.HEADER_LENGTH + 4;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[header + payload.length]);
        if (vlan != 0)
        {
            frame.putShort(12, (short)EthernetFrame.ETHERTYPE_VLAN, java.nio.ByteOrder.BIG_ENDIAN);
            frame.putShort(14, (short)vlan, java.nio.ByteOrder.BIG_ENDIAN);
            frame.putShort(16, (short)etherType, java.nio.ByteOrder.BIG_ENDIAN);
        }
        else
        {
            frame.putShort(12, (short)etherType, java.nio.ByteOrder.BIG_ENDIAN);
        }
        frame.putBytes(header, payload);
        return frame;
    }

    private int worker(final UnsafeBuffer frame, final int port, final boolean rawIp)
    {
        return frames.worker(frame, 0, frame.capacity(), port, rawIp, 0);
    }

    @Test
    void shouldSteerIpv4FramesByInsideHostAndByPublicPortTaggedOrNot()
    {
        for (int host = 1; host < 64; host++)
        {
            final int inside = ip("10.0.3.0") + host;
            final byte[] out = Packets.udp(inside, 5000, ip("198.51.100.1"), 53, PAYLOAD);
            final int expected = steering.insideWorker(inside);
            assertEquals(expected, worker(ethernet(EthernetFrame.ETHERTYPE_IPV4, 0, out), INSIDE, false));
            assertEquals(expected, worker(ethernet(EthernetFrame.ETHERTYPE_IPV4, 42, out), INSIDE, false));
            assertEquals(expected, worker(new UnsafeBuffer(out), INSIDE, true));
        }
        for (int port = 1; port < 65_536; port += 997)
        {
            final byte[] in = Packets.udp(ip("198.51.100.1"), 53, ip("203.0.113.1"), port, PAYLOAD);
            assertEquals(steering.ports().owner(port), worker(ethernet(EthernetFrame.ETHERTYPE_IPV4, 7, in), OUTSIDE,
                false), "port " + port);
        }
    }

    @Test
    void shouldGiveArpRepliesToEveryWorkerAndTheRestThatIsNotIpv4ToWorkerZero()
    {
        final byte[] arp = new byte[28];
        arp[7] = 2; // reply
        assertEquals(FrameSteering.ALL_WORKERS, worker(ethernet(EthernetFrame.ETHERTYPE_ARP, 0, arp), OUTSIDE, false));
        assertEquals(FrameSteering.ALL_WORKERS, worker(ethernet(EthernetFrame.ETHERTYPE_ARP, 9, arp), INSIDE, false));
        arp[7] = 1; // request: answered once
        assertEquals(0, worker(ethernet(EthernetFrame.ETHERTYPE_ARP, 0, arp), INSIDE, false));
        assertEquals(0, worker(ethernet(EthernetFrame.ETHERTYPE_IPV6, 0, new byte[40]), INSIDE, false));
        assertEquals(0, worker(new UnsafeBuffer(new byte[10]), INSIDE, false), "runt");
        assertEquals(0, worker(ethernet(EthernetFrame.ETHERTYPE_IPV4, 0, new byte[12]), OUTSIDE, false), "truncated");
    }
}
