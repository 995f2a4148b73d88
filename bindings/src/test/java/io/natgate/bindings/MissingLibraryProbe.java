package io.natgate.bindings;

import io.natgate.bindings.pcap.LibPcap;
import io.natgate.bindings.pcap.Pcap;

import java.nio.file.Path;

/**
 * Run in a child JVM that cannot load libpcap by {@link MissingLibraryTest}: touches the binding
 * class, then uses it, printing what each step gave.
 */
public final class MissingLibraryProbe
{
    private MissingLibraryProbe()
    {
    }

    public static void main(final String[] args)
    {
        System.out.println("available " + LibPcap.LIBRARY.isAvailable());
        try
        {
            Pcap.openOffline(Path.of("any.pcap")).close();
            System.out.println("opened");
        }
        catch (final RuntimeException ex)
        {
            System.out.println("open " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
    }
}
