package io.natgate.datapath.port;

import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.linux.NetworkNamespace;

/**
 * Run in a child JVM by {@link AfXdpPortTest}: opens an AF_XDP port on an interface of a namespace,
 * says so with the program id, and waits to be killed (at most a minute).
 */
public final class AfXdpHolder
{
    private AfXdpHolder()
    {
    }

    /**
     * @param args the namespace and the interface.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final AfXdpPort port;
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(args[0]))
        {
            port = AfXdpPort.open("held", new XdpSocketOptions().interfaceName(args[1]));
        }
        System.out.println("open " + port);
        System.out.flush();
        Thread.sleep(60_000);
        port.close();
    }
}
