package io.natgate.bindings;

import io.natgate.bindings.afpacket.PacketSocket;
import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.afxdp.XdpUmem;
import io.natgate.bindings.pcap.Pcap;
import io.natgate.bindings.pcap.PcapOptions;

/**
 * Run in a child JVM without capabilities by {@link MissingPermissionTest}: opens each live
 * backend on the loopback device and prints one line per backend with the exception it got.
 */
public final class PermissionProbe
{
    private PermissionProbe()
    {
    }

    public static void main(final String[] args)
    {
        probe("pcap", () -> Pcap.openLive(new PcapOptions().device("lo")).close());
        probe("afpacket", () -> PacketSocket.open(new PacketSocketOptions().interfaceName("lo")).close());
        probe("afxdp", () -> XdpUmem.create(new XdpSocketOptions().interfaceName("lo").umemFrameCount(4096), 1).close());
    }

    private static void probe(final String backend, final Runnable open)
    {
        try
        {
            open.run();
            System.out.println(backend + " OPENED");
        }
        catch (final RuntimeException ex)
        {
            System.out.println(backend + " " + ex.getClass().getSimpleName() + ": " + ex.getMessage().replace('\n', ' '));
        }
    }
}
