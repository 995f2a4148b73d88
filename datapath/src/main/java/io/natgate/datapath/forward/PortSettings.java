package io.natgate.datapath.forward;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.port.LinkLayer;

/**
 * The layer-3 identity of one datapath port: the gateway's address and prefix on it, the
 * next hop for destinations beyond the prefix, its MAC and MTU. Immutable.
 *
 * @param index        the port's position in the pipeline (counters, rings).
 * @param macAddress   the port's MAC (low 48 bits); 0 for a raw-IP port.
 * @param address      the gateway's own address on this port.
 * @param nextHop      the router for destinations outside the prefix; 0 for none.
 * @param vlan         the 802.1Q VLAN the port serves (1..4094): it accepts only frames tagged with it and
 *                     tags what it sends; 0 for an untagged port, which accepts untagged (and priority-tagged,
 *                     VLAN 0) frames only.
 */
public record PortSettings(
    int index, String name, PortRole role, LinkLayer linkLayer, long macAddress, int mtu, int address,
    int prefixLength, int nextHop, int vlan)
{
    public static final int MIN_MTU = 576;
    public static final int MAX_MTU = 9000;
    public static final int MAX_VLAN = 4094;

    /**
     * An untagged port.
     */
    public PortSettings(
        final int index, final String name, final PortRole role, final LinkLayer linkLayer, final long macAddress,
        final int mtu, final int address, final int prefixLength, final int nextHop)
    {
        this(index, name, role, linkLayer, macAddress, mtu, address, prefixLength, nextHop, 0);
    }

    /**
     * Checks the values; the key names are those of the config file's port entries.
     */
    public PortSettings
    {
        final String key = "ports." + name;
        if (prefixLength < 0 || prefixLength > 32)
        {
            throw new ConfigurationException(key + ".prefix", prefixLength, "prefix length must be 0..32");
        }
        if (mtu < MIN_MTU || mtu > MAX_MTU)
        {
            throw new ConfigurationException(key + ".mtu", mtu, "MTU must be " + MIN_MTU + ".." + MAX_MTU);
        }
        if (linkLayer == LinkLayer.ETHERNET && (macAddress == 0 || (macAddress >>> 40 & 1) != 0))
        {
            throw new ConfigurationException(
                key + ".mac", String.format("%012x", macAddress), "an Ethernet port needs a unicast MAC");
        }
        if (vlan < 0 || vlan > MAX_VLAN || (vlan != 0 && linkLayer != LinkLayer.ETHERNET))
        {
            throw new ConfigurationException(key + ".vlan", vlan, "VLAN must be 1.." + MAX_VLAN + " on an Ethernet port");
        }
        if (nextHop != 0 && !Ipv4.inPrefix(nextHop, address, prefixLength))
        {
            throw new ConfigurationException(
                key + ".nextHop", Ipv4.toString(nextHop), "next hop is not inside " + Ipv4.toString(address) + "/" +
                prefixLength);
        }
    }

    /**
     * @return whether a received frame's VLAN ({@code -1} untagged, as {@code EthernetFrame.vlanId()}) is this port's.
     */
    public boolean servesVlan(final int frameVlan)
    {
        return vlan == 0 ? frameVlan <= 0 : frameVlan == vlan;
    }

    public boolean isOnLink(final int destination)
    {
        return Ipv4.inPrefix(destination, address, prefixLength);
    }
}
