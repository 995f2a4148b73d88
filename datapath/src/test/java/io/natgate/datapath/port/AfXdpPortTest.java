package io.natgate.datapath.port;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afxdp.XdpAttach;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.linux.LinuxException;
import io.natgate.bindings.linux.NetworkNamespace;
import io.natgate.bindings.testing.FrameExchange;
import io.natgate.bindings.testing.TestFrames;
import io.natgate.bindings.testing.VethLab;
import io.natgate.bindings.testing.VethLabExtension;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AF_XDP port on veth pairs in namespaces of the test's own; AF_PACKET ports on the far ends are
 * the independent witnesses of what went over the wire.
 */
@Timeout(120)
class AfXdpPortTest
{
    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    @Test
    void shouldCarryFramesByteIdenticalBetweenAfXdpPortsAcrossVethPairInBothDirections()
    {
        try (AfXdpPort a = open("a", LAB.lab(), LAB.lab().endA(), o -> { });
            AfXdpPort b = open("b", LAB.lab(), LAB.lab().endB(), o -> { }))
        {
            final byte[][] aToB = FrameExchange.frames(b.macAddress(), a.macAddress(), 4000, 64, 1514, 60, 591);
            final byte[][] bToA = FrameExchange.frames(a.macAddress(), b.macAddress(), 4000, 1514, 64, 1000);

            assertEquals(4000, PortExchange.exchange(a, b, aToB, 256));
            assertEquals(4000, PortExchange.exchange(b, a, bToA, 256));

            assertNothingLost(a);
            assertNothingLost(b);
        }
    }

    @Test
    void shouldCarryFramesByteIdenticalToAndFromAfPacketPeer()
    {
        try (AfXdpPort xdp = open("xdp", LAB.lab(), LAB.lab().endA(), o -> { });
            AfPacketPort peer = openAfPacket("peer", LAB.lab(), LAB.lab().endB()))
        {
            final byte[][] out = FrameExchange.frames(peer.macAddress(), xdp.macAddress(), 3000, 1514, 64, 777);
            final byte[][] in = FrameExchange.frames(xdp.macAddress(), peer.macAddress(), 3000, 64, 1514, 333);

            assertEquals(3000, PortExchange.exchange(xdp, peer, out, 128));
            assertEquals(3000, PortExchange.exchange(peer, xdp, in, 128));
            assertNothingLost(xdp);
        }
    }

    @Test
    void shouldRunInSkbModeToo()
    {
        try (AfXdpPort xdp = open("xdp", LAB.lab(), LAB.lab().endA(), o -> o.attach(XdpAttach.SKB));
            AfPacketPort peer = openAfPacket("peer", LAB.lab(), LAB.lab().endB()))
        {
            assertEquals(XdpAttach.SKB, xdp.socket().attached());
            final byte[][] out = FrameExchange.frames(peer.macAddress(), xdp.macAddress(), 2000, 1514, 64);
            final byte[][] in = FrameExchange.frames(xdp.macAddress(), peer.macAddress(), 2000, 64, 1514);

            assertEquals(2000, PortExchange.exchange(xdp, peer, out, 128));
            assertEquals(2000, PortExchange.exchange(peer, xdp, in, 128));
        }
    }

    @Test
    void shouldTakeMacAddressAndMtuFromInterfaceAndBindInCopyModeOnVeth()
    {
        try (AfXdpPort a = open("a", LAB.lab(), LAB.lab().endA(), o -> { }))
        {
            assertEquals("a", a.name());
            assertEquals(LinkLayer.ETHERNET, a.linkLayer());
            assertEquals(LAB.lab().mac(LAB.lab().endA()), a.macAddress());
            assertEquals(1500, a.mtu());
            assertFalse(a.socket().isZeroCopy(), "veth has no AF_XDP zero-copy");
            assertEquals(XdpAttach.NATIVE, a.socket().attached());
        }
    }

    @Test
    void shouldRefuseFrameLongerThanMtuAllows()
    {
        try (AfXdpPort a = open("a", LAB.lab(), LAB.lab().endA(), o -> { }))
        {
            final byte[] jumbo = TestFrames.udp(0x02_00_00_00_00_01L, a.macAddress(), 1, 1519);

            assertFalse(a.transmit(new UnsafeBuffer(jumbo), 0, jumbo.length));
        }
    }

    @Test
    void shouldRefuseFramesWhileTxRingIsFullAndTakeThemAgainAfterFlush() throws InterruptedException
    {
        try (AfXdpPort a = open("a", LAB.lab(), LAB.lab().endA(), o -> o.txRingSize(64).completionRingSize(64));
            AfXdpPort b = open("b", LAB.lab(), LAB.lab().endB(), o -> { }))
        {
            final UnsafeBuffer frame = new UnsafeBuffer(TestFrames.udp(b.macAddress(), a.macAddress(), 1, 64));
            int accepted = 0;
            while (a.transmit(frame, 0, frame.capacity()))
            {
                accepted++;
            }
            assertEquals(64, accepted);

            assertEquals(64, a.flush());
            boolean acceptedAgain = false;
            for (int i = 0; i < 1000 && !acceptedAgain; i++)
            {
                a.flush();
                acceptedAgain = a.transmit(frame, 0, frame.capacity());
                Thread.sleep(1);
            }
            assertTrue(acceptedAgain);
        }
    }

    @Test
    void shouldForwardFrameBetweenPortsSharingUmemByPassingItsAddressWithoutCopy()
    {
        final VethLab lab = LAB.lab();
        final String pid = Long.toString(ProcessHandle.current().pid());
        final String outsideEnd = "ngc" + pid;
        final String receiverEnd = "ngd" + pid;
        lab.addPair(outsideEnd, receiverEnd, 1);
        final List<AfXdpPort> shared;
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(lab.namespace()))
        {
            shared = AfXdpPort.openShared(List.of("in", "out"), List.of(
                new XdpSocketOptions().interfaceName(lab.endB()).umemFrameCount(8192),
                new XdpSocketOptions().interfaceName(outsideEnd)));
        }
        try (AfXdpPort in = shared.get(0); AfXdpPort out = shared.get(1);
            AfPacketPort sender = openAfPacket("sender", lab, lab.endA());
            AfPacketPort receiver = openAfPacket("receiver", lab, receiverEnd))
        {
            final byte[][] frames = FrameExchange.frames(receiver.macAddress(), sender.macAddress(), 3000, 64, 1514, 400);
            final FrameHandler forward = (buffer, offset, length) ->
            {
                assertTrue(out.transmit(buffer, offset, length), "out refused a frame");
                return true;
            };
            final int arrived = FrameExchange.exchange(
                frame -> sender.transmit(new UnsafeBuffer(frame), 0, frame.length),
                sender::flush,
                () ->
                {
                    in.receive(forward, 64);
                    out.flush();
                    return PortExchange.poll(receiver);
                },
                frames, 64);

            assertEquals(3000, arrived);
            assertEquals(0, out.copied());
            assertTrue(out.forwardedInPlace() >= 3000, () -> "in place " + out.forwardedInPlace());
        }
        finally
        {
            lab.exec("ip", "link", "del", outsideEnd);
        }
    }

    @Test
    void shouldCompleteChecksumsThatAPeerWithDefaultOffloadsLeftPartial() throws Exception
    {
        final VethLab lab = LAB.lab();
        final String pid = Long.toString(ProcessHandle.current().pid());
        final String peerEnd = "ngp" + pid;
        final String portEnd = "ngq" + pid;
        lab.addPair(peerEnd, portEnd, 1);
        try
        {
            lab.exec("ip", "addr", "add", "192.0.2.1/24", "dev", peerEnd);
            lab.exec("ip", "neigh", "add", "192.0.2.2", "lladdr", macText(lab.mac(portEnd)), "dev", peerEnd);
            assertTrue(lab.exec("ethtool", "-k", peerEnd).contains("tx-checksum-ip-generic: on"),
                "the peer keeps transmit checksum offload");
            try (AfXdpPort port = open("xdp", lab, portEnd, o -> { }))
            {
                lab.exec("bash", "-c", "echo question > /dev/udp/192.0.2.2/4000; " +
                    "timeout 1 bash -c 'exec 3<>/dev/tcp/192.0.2.2/80' || true");
                final boolean[] seen = new boolean[2];
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!(seen[0] && seen[1]) && System.nanoTime() - deadlineNs < 0)
                {
                    port.receive((buffer, offset, length) ->
                    {
                        if (length < 34 || buffer.getShort(offset + 12, java.nio.ByteOrder.BIG_ENDIAN) != 0x0800)
                        {
                            return true;
                        }
                        final int ip = offset + 14;
                        final int headerLength = (buffer.getByte(ip) & 0x0F) * 4;
                        final int totalLength = buffer.getShort(ip + 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
                        final int protocol = buffer.getByte(ip + 9) & 0xFF;
                        final int sum = onesComplementSum(buffer, ip, headerLength, totalLength, protocol);
                        if (protocol == 17 || protocol == 6)
                        {
                            assertEquals(0xFFFF, sum, (protocol == 17 ? "UDP" : "TCP") + " checksum incomplete");
                            seen[protocol == 17 ? 0 : 1] = true;
                        }
                        return true;
                    }, 64);
                }
                assertTrue(seen[0], "the peer's UDP datagram arrived");
                assertTrue(seen[1], "the peer's TCP SYN arrived");
                assertTrue(port.checksumsCompleted() >= 2, () -> "completed " + port.checksumsCompleted());
            }
        }
        finally
        {
            lab.exec("ip", "link", "del", peerEnd);
        }
    }

    /**
     * @return the folded one's complement sum of a TCP/UDP segment with its pseudo-header, computed
     * here byte by byte: 0xFFFF when the checksum in it is right.
     */
    private static int onesComplementSum(final org.agrona.DirectBuffer buffer, final int ip, final int headerLength,
        final int totalLength, final int protocol)
    {
        long sum = protocol + (totalLength - headerLength);
        for (int i = 12; i < 20; i += 2)
        {
            sum += ((buffer.getByte(ip + i) & 0xFF) << 8) | (buffer.getByte(ip + i + 1) & 0xFF);
        }
        for (int i = headerLength; i < totalLength; i += 2)
        {
            final int high = buffer.getByte(ip + i) & 0xFF;
            final int low = i + 1 < totalLength ? buffer.getByte(ip + i + 1) & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    private static String macText(final long mac)
    {
        final StringBuilder text = new StringBuilder();
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            text.append(String.format("%02x", (mac >>> shift) & 0xFF)).append(shift > 0 ? ":" : "");
        }
        return text.toString();
    }

    @Test
    void shouldLeaveNoXdpProgramOnInterfaceAfterClose()
    {
        final VethLab lab = LAB.lab();
        try (AfXdpPort a = open("a", lab, lab.endA(), o -> { }))
        {
            assertTrue(xdpProgramOf(lab, lab.endA()).contains("xdp"), "while open: " + xdpProgramOf(lab, lab.endA()));
        }
        assertFalse(xdpProgramOf(lab, lab.endA()).contains("xdp"), "after close: " + xdpProgramOf(lab, lab.endA()));
    }

    @Test
    void shouldReplaceProgramLeftByKilledProcessOnNextOpenAndRemoveItOnClose() throws Exception
    {
        final VethLab lab = LAB.lab();
        final Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
            "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            AfXdpHolder.class.getName(), lab.namespace(), lab.endA()).redirectErrorStream(true).start();
        final String line;
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String next;
            do
            {
                next = out.readLine();
            }
            while (next != null && !next.startsWith("open "));
            line = next;
        }
        finally
        {
            holder.destroyForcibly(); // SIGKILL: no close, no detach
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(line != null && line.startsWith("open "), "holder said: " + line);
        final String left = xdpProgramOf(lab, lab.endA());
        assertTrue(left.contains("xdp"), "a killed process leaves its program: " + left);

        try (AfXdpPort a = open("a", lab, lab.endA(), o -> { });
            AfPacketPort peer = openAfPacket("peer", lab, lab.endB()))
        {
            assertTrue(a.socket().replacedProgramId() > 0, "the stale program was detached");
            assertTrue(left.contains("id " + a.socket().replacedProgramId()), left);
            final byte[][] in = FrameExchange.frames(a.macAddress(), peer.macAddress(), 500, 64, 1514);
            assertEquals(500, PortExchange.exchange(peer, a, in, 50));
        }
        assertFalse(xdpProgramOf(lab, lab.endA()).contains("xdp"), "after close: " + xdpProgramOf(lab, lab.endA()));
    }

    @Test
    void shouldFailWithSystemTextForUnknownInterface()
    {
        final LinuxException ex = assertThrows(LinuxException.class,
            () -> open("x", LAB.lab(), "ngnosuch1", o -> { }));

        assertTrue(ex.getMessage().contains("No such device (ENODEV)"), ex.getMessage());
    }

    /**
     * @return what {@code ip link show} says of the interface's XDP program (empty when none).
     */
    private static String xdpProgramOf(final VethLab lab, final String device)
    {
        final String out = lab.exec("ip", "link", "show", "dev", device);
        final int at = out.indexOf("prog/xdp");
        return at < 0 ? "" : out.substring(at, out.indexOf('\n', at) < 0 ? out.length() : out.indexOf('\n', at));
    }

    private static void assertNothingLost(final AfXdpPort port)
    {
        final PortStats stats = port.stats(new PortStats());
        assertEquals(0, stats.rxDropped(), stats::toString);
        assertEquals(0, stats.txFailed(), stats::toString);
    }

    static AfXdpPort open(final String name, final VethLab lab, final String device,
        final Consumer<XdpSocketOptions> customise)
    {
        final XdpSocketOptions options = new XdpSocketOptions().interfaceName(device);
        customise.accept(options);
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(lab.namespace()))
        {
            return AfXdpPort.open(name, options);
        }
    }

    static AfPacketPort openAfPacket(final String name, final VethLab lab, final String device)
    {
        final PacketSocketOptions options = new PacketSocketOptions().interfaceName(device)
            .rxBlockSizeBytes(1 << 16).rxBlockCount(16);
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(lab.namespace()))
        {
            return AfPacketPort.open(name, options);
        }
    }
}
