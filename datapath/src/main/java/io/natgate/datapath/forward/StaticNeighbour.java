package io.natgate.datapath.forward;

import io.natgate.datapath.nat.Ipv4;

/**
 * A neighbour bound to its MAC by configuration (the config's {@code ports[].neighbours}): the gateway never asks
 * for it, ARP never changes it, and on an inside port its address is accepted from that MAC only, as one the
 * gateway resolved would be.
 *
 * @param portIndex the Ethernet port it is on.
 * @param address   its address, on the port's network.
 * @param mac       its MAC (low 48 bits), unicast.
 */
public record StaticNeighbour(int portIndex, int address, long mac)
{
    @Override
    public String toString()
    {
        return Ipv4.toString(address) + " at " + String.format("%012x", mac);
    }
}
