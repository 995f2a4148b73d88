package io.natgate.bindings;

import io.natgate.bindings.afxdp.LibXdp;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.bindings.afxdp.XdpUmem;

/**
 * Run in a child JVM that cannot load libxdp by {@link MissingLibraryTest}: touches the binding
 * class, then uses it, printing what each step gave.
 */
public final class MissingLibXdpProbe
{
    private MissingLibXdpProbe()
    {
    }

    public static void main(final String[] args)
    {
        System.out.println("available " + LibXdp.LIBRARY.isAvailable());
        try
        {
            XdpUmem.create(new XdpSocketOptions().interfaceName("lo"), 1).close();
            System.out.println("opened");
        }
        catch (final RuntimeException ex)
        {
            System.out.println("open " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
    }
}
