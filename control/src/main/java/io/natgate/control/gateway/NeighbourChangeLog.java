package io.natgate.control.gateway;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;

import java.io.PrintStream;
import java.util.List;

/**
 * Logs what ARP tried to change on each port, from the datapath's counters: claims of a new MAC for a known
 * neighbour, refused while the gateway asks for confirmation ({@code arp_mac_changed}), and neighbours whose new
 * MAC was taken after it ({@code neighbour_mac_adopted}). {@link #check} runs on the control thread about once a
 * second, so a flood of claims is one line a second, not one a frame (the stream stamps each line's time).
 */
public final class NeighbourChangeLog
{
    private final DatapathCounters counters;
    private final List<String> portNames;
    private final PrintStream out;
    private final long[] claimsSeen;
    private final long[] adoptedSeen;

    public NeighbourChangeLog(final DatapathCounters counters, final List<String> portNames, final PrintStream out)
    {
        this.counters = counters;
        this.portNames = List.copyOf(portNames);
        this.out = out;
        claimsSeen = new long[portNames.size()];
        adoptedSeen = new long[portNames.size()];
        for (int port = 0; port < portNames.size(); port++)
        {
            claimsSeen[port] = counters.get(port, DropReason.ARP_MAC_CHANGED);
            adoptedSeen[port] = counters.get(port, PortCounter.NEIGHBOUR_MAC_ADOPTED);
        }
    }

    /**
     * Prints a line for each port where ARP claimed or changed a neighbour's MAC since the last check.
     *
     * @return the lines printed.
     */
    public int check()
    {
        int lines = 0;
        for (int port = 0; port < portNames.size(); port++)
        {
            final long claims = counters.get(port, DropReason.ARP_MAC_CHANGED);
            final long adopted = counters.get(port, PortCounter.NEIGHBOUR_MAC_ADOPTED);
            if (claims != claimsSeen[port])
            {
                out.println("natgate: port " + portNames.get(port) + ": " +
                    (claims - claimsSeen[port]) + " ARP claims of a new MAC for a known neighbour refused, " +
                    "confirmation asked (arp_mac_changed)");
                claimsSeen[port] = claims;
                lines++;
            }
            if (adopted != adoptedSeen[port])
            {
                out.println("natgate: port " + portNames.get(port) + ": " +
                    (adopted - adoptedSeen[port]) + " neighbours' MACs changed after confirmation " +
                    "(neighbour_mac_adopted)");
                adoptedSeen[port] = adopted;
                lines++;
            }
        }
        if (lines > 0)
        {
            out.flush();
        }
        return lines;
    }
}
