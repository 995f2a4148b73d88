package io.natgate.control.gateway;

import io.natgate.bindings.linux.Ethtool;
import io.natgate.bindings.linux.LinuxException;

import java.io.PrintStream;

/**
 * Sets the receive offloads of natgate's own interfaces at start, through the ethtool ioctl, and
 * says what it did. An AF_PACKET port with vnet headers takes GRO aggregates whole, so GRO is
 * turned on where the device has it (one aggregate translated instead of dozens of frames); a
 * pcap port sees no offload metadata, so GRO and LRO are turned off, or its aggregates would be
 * cut at the snap length.
 */
final class InterfaceOffloads
{
    private InterfaceOffloads()
    {
    }

    /**
     * Turns GRO on for an AF_PACKET port that carries offloads.
     *
     * @return the line logged.
     */
    static String enableGro(final String port, final String device, final PrintStream log)
    {
        String result;
        try
        {
            if (Ethtool.gro(device))
            {
                result = "GRO already on";
            }
            else
            {
                Ethtool.gro(device, true);
                result = Ethtool.gro(device) ? "GRO turned on" : "GRO stays off (the device refused it)";
            }
        }
        catch (final LinuxException ex)
        {
            result = "GRO left as it is (" + ex.getMessage() + ")";
        }
        final String line = "natgate: port " + port + " " + device + ": offloads through virtio_net_hdr, " + result;
        log.println(line);
        return line;
    }

    /**
     * Turns GRO and LRO off for a pcap port, which would otherwise capture aggregates it cannot carry.
     *
     * @return the line logged.
     */
    static String disableReceiveAggregation(final String port, final String device, final PrintStream log)
    {
        final String line = "natgate: port " + port + " " + device + ": pcap sees no offload metadata, so " +
            turnOff(device, true) + ", " + turnOff(device, false);
        log.println(line);
        return line;
    }

    private static String turnOff(final String device, final boolean gro)
    {
        final String name = gro ? "GRO" : "LRO";
        try
        {
            if (!(gro ? Ethtool.gro(device) : Ethtool.lro(device)))
            {
                return name + " already off";
            }
            if (gro)
            {
                Ethtool.gro(device, false);
            }
            else
            {
                Ethtool.lro(device, false);
            }
            return name + " turned off";
        }
        catch (final LinuxException ex)
        {
            return name + " not changed (" + ex.getMessage() + ")";
        }
    }
}
