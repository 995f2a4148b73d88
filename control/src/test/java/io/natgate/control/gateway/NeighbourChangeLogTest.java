package io.natgate.control.gateway;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NeighbourChangeLogTest
{
    private final DatapathCounters counters = new DatapathCounters(2);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldLogOneLineAPortForTheArpClaimsAndAdoptionsSinceTheLastCheck()
    {
        counters.drop(0, DropReason.ARP_MAC_CHANGED); // before the log started: not news
        final NeighbourChangeLog log = new NeighbourChangeLog(counters, List.of("lan", "wan"), out);
        assertEquals(0, log.check());

        for (int i = 0; i < 3; i++)
        {
            counters.drop(0, DropReason.ARP_MAC_CHANGED);
        }
        counters.increment(1, PortCounter.NEIGHBOUR_MAC_ADOPTED);
        assertEquals(2, log.check());
        assertEquals(0, log.check(), "nothing new");

        assertEquals("""
            natgate: port lan: 3 ARP claims of a new MAC for a known neighbour refused, confirmation asked (arp_mac_changed)
            natgate: port wan: 1 neighbours' MACs changed after confirmation (neighbour_mac_adopted)
            """, bytes.toString(StandardCharsets.UTF_8));
    }
}
