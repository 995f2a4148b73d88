package io.natgate.bindings.pcap;

import java.net.InetAddress;
import java.util.List;

/**
 * One entry of {@code pcap_findalldevs}.
 *
 * @param name        what to pass to {@link Pcap#openLive}.
 * @param description the driver's description, or null (Npcap fills it; Linux rarely does).
 * @param flags       {@code PCAP_IF_*} bits.
 * @param addresses   the IPv4 and IPv6 addresses of the device.
 * @param macAddress  the MAC address as the low 48 bits when libpcap reports a link-layer
 *                    address (Linux does, as an AF_PACKET address), else 0.
 */
public record PcapDevice(String name, String description, int flags, List<InetAddress> addresses, long macAddress)
{
    public boolean isLoopback()
    {
        return (flags & LibPcap.PCAP_IF_LOOPBACK) != 0;
    }

    public boolean isUp()
    {
        return (flags & LibPcap.PCAP_IF_UP) != 0;
    }

    public boolean isRunning()
    {
        return (flags & LibPcap.PCAP_IF_RUNNING) != 0;
    }
}
