package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.forward.Forwarder;
import io.natgate.datapath.forward.PortRole;
import io.natgate.datapath.forward.PortSettings;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.pipeline.Pipeline;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.port.ProviderPort;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The provider interfaces of a gateway, made before its pipeline because a pipeline's ports are
 * fixed: {@code count} {@link ProviderPort}s named {@code cp0, cp1, ...}, each an outside raw-IP
 * port with a /32 address of the gateway's own, to append to the pipeline's ports and the
 * forwarder's port settings. Once the pipeline runs, {@link #attach} gives the platform its
 * {@link ProviderDatapath}, which changes routes through {@link Pipeline#callOnWorker}.
 */
public final class ProviderSlots
{
    public static final String PORT_NAME_PREFIX = "cp";
    /** The first slot's address; the next slots take the next addresses. Link-local, never on the wire. */
    public static final int DEFAULT_FIRST_LOCAL_ADDRESS = Ipv4.parse("169.254.64.1");
    public static final int DEFAULT_QUEUE_FRAMES = 1024;
    public static final long DEFAULT_WORKER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final List<ProviderPort> ports = new ArrayList<>();
    private final List<PortSettings> portSettings = new ArrayList<>();

    /**
     * @param firstPortIndex the pipeline port index of the first slot (the number of ports before it).
     * @param queueFrames    frames each interface queues each way before refusing more.
     */
    public ProviderSlots(
        final int firstPortIndex, final int count, final int mtu, final int firstLocalAddress, final int queueFrames)
    {
        for (int slot = 0; slot < count; slot++)
        {
            final String name = PORT_NAME_PREFIX + slot;
            ports.add(new ProviderPort(name, mtu, queueFrames));
            portSettings.add(new PortSettings(
                firstPortIndex + slot, name, PortRole.OUTSIDE, LinkLayer.RAW_IP, 0, mtu, firstLocalAddress + slot, 32, 0));
        }
    }

    /**
     * @return the ports, to append to the pipeline's in this order.
     */
    public List<ProviderPort> ports()
    {
        return List.copyOf(ports);
    }

    /**
     * @return their settings, to append to the forwarder's in this order.
     */
    public List<PortSettings> portSettings()
    {
        return List.copyOf(portSettings);
    }

    /**
     * @param timeoutNs  how long a route change may wait for each worker.
     * @param forwarders the pipeline's frame processors, one per worker, whose routes change on their threads.
     */
    public ProviderDatapath attach(final Pipeline pipeline, final long timeoutNs, final Forwarder... forwarders)
    {
        return new PipelineDatapath(pipeline, forwarders, timeoutNs);
    }

    private final class PipelineDatapath implements ProviderDatapath
    {
        private final Pipeline pipeline;
        private final Forwarder[] forwarders;
        private final long timeoutNs;

        PipelineDatapath(final Pipeline pipeline, final Forwarder[] forwarders, final long timeoutNs)
        {
            for (int slot = 0; slot < ports.size(); slot++)
            {
                if (pipeline.port(portSettings.get(slot).index()) != ports.get(slot))
                {
                    throw new IllegalArgumentException("pipeline port " + portSettings.get(slot).index() + " is not " +
                        ports.get(slot).name());
                }
            }
            if (forwarders.length != pipeline.workers())
            {
                throw new IllegalArgumentException(forwarders.length + " forwarders for " + pipeline.workers() +
                    " workers");
            }
            this.pipeline = pipeline;
            this.forwarders = forwarders.clone();
            this.timeoutNs = timeoutNs;
        }

        public int slotCount()
        {
            return ports.size();
        }

        public ProviderPort port(final int slot)
        {
            return ports.get(slot);
        }

        public int localAddress(final int slot)
        {
            return portSettings.get(slot).address();
        }

        public List<String> portNames()
        {
            final List<String> names = new ArrayList<>();
            for (int i = 0; i < pipeline.portCount(); i++)
            {
                names.add(pipeline.port(i).name());
            }
            return names;
        }

        public boolean addRoute(final int slot, final Ipv4Prefix prefix)
        {
            final int portIndex = portSettings.get(slot).index();
            return onEveryWorker(worker -> forwarders[worker].addRoute(prefix.network(), prefix.prefixLength(),
                portIndex));
        }

        public void removeRoutes(final int slot)
        {
            final int portIndex = portSettings.get(slot).index();
            onEveryWorker(worker ->
            {
                forwarders[worker].removeRoutes(portIndex);
                return null;
            });
        }

        private <T> T onEveryWorker(final java.util.function.IntFunction<T> task)
        {
            return pipeline.callOnEveryWorker(task, timeoutNs);
        }
    }
}
