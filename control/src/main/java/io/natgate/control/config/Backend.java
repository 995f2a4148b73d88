package io.natgate.control.config;

import io.natgate.bindings.OperatingSystem;
import io.natgate.datapath.port.LinkLayer;

import java.util.EnumSet;
import java.util.Set;

/**
 * How a port reaches its interface: the capture library or socket the bindings open, its link
 * layer, and the operating systems that have it.
 */
public enum Backend
{
    /** Linux AF_PACKET sockets with TPACKET_V3 rings: Ethernet frames, the fastest on Linux. */
    AFPACKET("afpacket", LinkLayer.ETHERNET, EnumSet.of(OperatingSystem.LINUX)),
    /** Linux AF_XDP sockets through libxdp: Ethernet frames in a UMEM, kernel bypass where the driver has it. */
    AFXDP("afxdp", LinkLayer.ETHERNET, EnumSet.of(OperatingSystem.LINUX)),
    /** libpcap (Linux, macOS) or Npcap (Windows): Ethernet frames, everywhere. */
    PCAP("pcap", LinkLayer.ETHERNET, EnumSet.allOf(OperatingSystem.class)),
    /** WinDivert 2.x: raw IP packets, no link layer, Windows only. */
    WINDIVERT("windivert", LinkLayer.RAW_IP, EnumSet.of(OperatingSystem.WINDOWS));

    private final String configName;
    private final LinkLayer linkLayer;
    private final Set<OperatingSystem> systems;

    Backend(final String configName, final LinkLayer linkLayer, final Set<OperatingSystem> systems)
    {
        this.configName = configName;
        this.linkLayer = linkLayer;
        this.systems = systems;
    }

    /**
     * @return the name used in configuration.
     */
    public String configName()
    {
        return configName;
    }

    public LinkLayer linkLayer()
    {
        return linkLayer;
    }

    public boolean isAvailableOn(final OperatingSystem os)
    {
        return systems.contains(os);
    }

    /**
     * @return the systems that have this backend, for messages: {@code Linux}, {@code Windows}.
     */
    public String availability()
    {
        return systems.size() == OperatingSystem.values().length ? "every system" :
            String.join(", ", systems.stream().map(Backend::displayName).toList());
    }

    /**
     * @return the backend of a port that names none: AF_PACKET on Linux, pcap elsewhere.
     */
    public static Backend defaultFor(final OperatingSystem os)
    {
        return os == OperatingSystem.LINUX ? AFPACKET : PCAP;
    }

    /**
     * @return a system's name for messages.
     */
    public static String displayName(final OperatingSystem os)
    {
        return switch (os)
        {
            case LINUX -> "Linux";
            case WINDOWS -> "Windows";
            case MAC_OS -> "macOS";
            case OTHER -> "other systems";
        };
    }
}
