package io.natgate.control.gateway;

import io.natgate.bindings.afpacket.PacketSocketOptions;
import io.natgate.bindings.afpacket.Tpacket;
import io.natgate.bindings.afxdp.XdpSocketOptions;
import io.natgate.control.config.Backend;
import io.natgate.control.config.PortConfig;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.nat.SteeringPrograms;
import io.natgate.control.profile.EffectiveSettings;
import io.natgate.datapath.frame.FrameFormatter;
import io.natgate.datapath.pipeline.ThreadingMode;
import io.natgate.datapath.port.AfPacketPort;
import io.natgate.datapath.port.AfXdpPort;
import io.natgate.datapath.port.AfXdpQueues;
import io.natgate.datapath.port.PcapPort;
import io.natgate.datapath.port.Port;
import org.agrona.CloseHelper;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's configured ports, opened on their backends as the profile says: AF_PACKET (GRO turned on where
 * offloads are), pcap (receive aggregation turned off), and every AF_XDP port on one shared UMEM. Each opened port
 * and socket is logged; on a failure whatever was opened is closed.
 */
final class ConfiguredPorts
{
    private ConfiguredPorts()
    {
    }

    /**
     * @return the ports in config order, open.
     */
    static List<Port> open(final EffectiveSettings settings, final List<PortConfig> configured, final PrintStream log)
    {
        final List<Port> ports = new ArrayList<>();
        Map<Integer, Port> afXdpPorts = Map.of();
        try
        {
            afXdpPorts = openAfXdpPorts(settings, configured);
            for (final PortConfig port : configured)
            {
                final Port opened = afXdpPorts.containsKey(port.index()) ? afXdpPorts.get(port.index()) :
                    openPort(settings, port, log);
                ports.add(opened);
                log.printf("natgate: port %s %s %s %s %s mac %s mtu %d%n", port.name(), port.interfaceName(),
                    port.backend().configName(), port.role().name().toLowerCase(), port.prefix(),
                    FrameFormatter.mac(port.settings().macAddress()), port.settings().mtu());
                for (final AfXdpPort socket : afXdpSockets(opened))
                {
                    log.printf("natgate: port %s afxdp %s%n", port.name(), socket.describe());
                }
                final int deviceQueues = port.backend() == Backend.AFXDP ? rxQueueCount(port.interfaceName()) : 0;
                if (deviceQueues > port.queues().size())
                {
                    log.printf("natgate: port %s afxdp: %s has %d rx queues and natgate a socket on %d of them %s: " +
                        "frames the device puts on the others never reach natgate; list every queue in the port's " +
                        "queues, or give the device one (ethtool -L %2$s combined 1)%n", port.name(),
                        port.interfaceName(), deviceQueues, port.queues().size(), port.queues());
                }
            }
            if (afXdpPorts.size() > 1 || afXdpPorts.values().stream().anyMatch(AfXdpQueues.class::isInstance))
            {
                log.printf("natgate: afxdp ports share one UMEM: %s%n", settings.pipelineConfig().threadingMode() ==
                    ThreadingMode.RUN_TO_COMPLETION ? "frames pass between them by UMEM address, not copied" :
                    "frames are copied between them (threading run-to-completion passes them by address)");
            }
            return ports;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(ports);
            CloseHelper.quietCloseAll(afXdpPorts.values()); // those not in ports yet
            throw ex;
        }
    }

    /**
     * Several workers running to completion: the ports each drives. Worker 0 drives {@code ports}; every other
     * worker its own socket on each afpacket port's device, joined to the port's fanout group after worker 0's
     * (the group's steering program names its members in the order they joined), and none of the ports only
     * worker 0 drives (the providers' interfaces, the local port).
     *
     * @param ports the gateway's ports, the configured ones first, open.
     * @return per worker, its ports by index; null unless several workers run to completion.
     */
    static List<List<Port>> openWorkerSockets(
        final EffectiveSettings settings, final List<PortConfig> configured, final List<Port> ports,
        final PrintStream log)
    {
        final int workers = settings.pipelineConfig().workers();
        if (!fannedOut(settings))
        {
            return null;
        }
        final List<List<Port>> all = new ArrayList<>();
        all.add(ports);
        try
        {
            for (int worker = 1; worker < workers; worker++)
            {
                final List<Port> own = new ArrayList<>(java.util.Collections.nCopies(ports.size(), (Port)null));
                all.add(own);
                for (final PortConfig port : configured)
                {
                    own.set(port.index(), AfPacketPort.open(port.name(), afPacketOptions(settings, port)));
                }
            }
        }
        catch (final RuntimeException ex)
        {
            closeWorkerSockets(all);
            throw ex;
        }
        for (final PortConfig port : configured)
        {
            log.printf("natgate: port %s afpacket fanout group %d: %d sockets, the kernel steers each frame to its " +
                "worker's (%s)%n", port.name(), fanoutGroup(port), workers, port.role() == PortRole.INSIDE ?
                "by inside source address" : "by destination port's owner");
        }
        return all;
    }

    /**
     * Closes the sockets {@link #openWorkerSockets} opened (not worker 0's, which are the gateway's ports).
     */
    static void closeWorkerSockets(final List<List<Port>> workerPorts)
    {
        for (int worker = 1; workerPorts != null && worker < workerPorts.size(); worker++)
        {
            CloseHelper.quietCloseAll(workerPorts.get(worker));
        }
    }

    private static boolean fannedOut(final EffectiveSettings settings)
    {
        return settings.pipelineConfig().workers() > 1 &&
            settings.pipelineConfig().threadingMode() == ThreadingMode.RUN_TO_COMPLETION;
    }

    /**
     * An afpacket port's socket options; with several workers running to completion, in the port's fanout group
     * with the program that steers a frame to the socket of the worker that owns it.
     */
    private static PacketSocketOptions afPacketOptions(final EffectiveSettings settings, final PortConfig port)
    {
        final PacketSocketOptions options = settings.afPacket().applyTo(new PacketSocketOptions()
            .interfaceName(port.interfaceName()).promiscuous(true).qdiscBypass(true).ignoreOutgoing(true));
        if (fannedOut(settings))
        {
            final int workers = settings.pipelineConfig().workers();
            options.fanout(fanoutGroup(port), Tpacket.PACKET_FANOUT_CBPF).fanoutProgram(port.role() == PortRole.INSIDE ?
                SteeringPrograms.inside(workers) : SteeringPrograms.outside(workers));
        }
        return options;
    }

    /**
     * @return the port's fanout group id: this process's own (groups are per network namespace).
     */
    private static int fanoutGroup(final PortConfig port)
    {
        return (int)((ProcessHandle.current().pid() * 16 + port.index()) & 0xFFFF);
    }

    /**
     * Opens every afxdp port, each queue it names a socket, on one UMEM: under run-to-completion
     * threading a frame one of them received leaves another from where it lies, its UMEM address
     * passed from one's rx ring to the other's tx ring.
     *
     * @return the ports by config index: an {@link AfXdpPort} for a port on one queue, an
     * {@link AfXdpQueues} for one on several.
     */
    private static Map<Integer, Port> openAfXdpPorts(
        final EffectiveSettings settings, final List<PortConfig> configured)
    {
        final List<PortConfig> afXdp = configured.stream().filter(port -> port.backend() == Backend.AFXDP).toList();
        if (afXdp.isEmpty())
        {
            return Map.of();
        }
        final List<String> names = new ArrayList<>();
        final List<XdpSocketOptions> options = new ArrayList<>();
        for (final PortConfig port : afXdp)
        {
            for (final int queue : port.queues())
            {
                names.add(port.queues().size() == 1 ? port.name() : port.name() + "/" + queue);
                options.add(settings.afXdp().applyTo(
                    new XdpSocketOptions().interfaceName(port.interfaceName()).queueId(queue)));
            }
        }
        final List<AfXdpPort> sockets = AfXdpPort.openShared(names, options);
        final Map<Integer, Port> opened = new LinkedHashMap<>();
        int next = 0;
        for (final PortConfig port : afXdp)
        {
            final List<AfXdpPort> queues = sockets.subList(next, next + port.queues().size());
            next += queues.size();
            opened.put(port.index(), queues.size() == 1 ? queues.getFirst() : new AfXdpQueues(port.name(), queues));
        }
        return opened;
    }

    /**
     * @return the rx queues sysfs lists for the interface, 0 when it cannot say.
     */
    private static int rxQueueCount(final String interfaceName)
    {
        try (java.util.stream.Stream<Path> queues =
            java.nio.file.Files.list(Path.of("/sys/class/net", interfaceName, "queues")))
        {
            return (int)queues.filter(queue -> queue.getFileName().toString().startsWith("rx-")).count();
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    /**
     * @return the AF_XDP sockets of a port, none for other backends.
     */
    static List<AfXdpPort> afXdpSockets(final Port port)
    {
        return port instanceof AfXdpPort socket ? List.of(socket) :
            port instanceof AfXdpQueues queues ? queues.queues() : List.of();
    }

    private static Port openPort(final EffectiveSettings settings, final PortConfig port, final PrintStream log)
    {
        final String name = port.name();
        final String device = port.interfaceName();
        final int mtu = port.settings().mtu();
        return switch (port.backend())
        {
            case AFPACKET ->
            {
                if (settings.afPacket().offloads() && settings.afPacket().gro())
                {
                    InterfaceOffloads.enableGro(name, device, log);
                }
                yield AfPacketPort.open(name, afPacketOptions(settings, port));
            }
            case AFXDP -> throw new IllegalStateException("afxdp ports are opened together: " + name);
            case PCAP ->
            {
                InterfaceOffloads.disableReceiveAggregation(name, device, log);
                yield PcapPort.open(name, settings.pcap().applyTo(PcapPort.defaultOptions(device, mtu)),
                    port.settings().macAddress(), mtu);
            }
            case WINDIVERT -> throw new UnsupportedOperationException(
                "port " + name + ": the windivert backend runs on Windows only");
        };
    }
}
