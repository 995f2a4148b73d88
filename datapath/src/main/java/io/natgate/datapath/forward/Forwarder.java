package io.natgate.datapath.forward;

import io.natgate.datapath.ConfigurationException;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.pipeline.FrameProcessor;
import io.natgate.datapath.pipeline.FrameSink;
import io.natgate.datapath.pipeline.FrameVector;
import io.natgate.datapath.arp.PendingFrames;
import org.agrona.ErrorHandler;
import org.agrona.LangUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The worker's frame processor: the stages between a port's receive and a port's transmit, run as
 * passes over a burst, as VPP's nodes are, each writing a next index per frame ({@link Next}):
 * <pre>
 *   classify ─► NAT fast path ─► NAT slow path (the misses) ─► route, rewrite and send, in frame order
 *   (Ethernet, IPv4 input,  (look up, rewrite)  (make sessions, fragments,   (TTL, next hop, fragmentation;
 *    to us?, route, TTL, DF)                      ICMP, hairpin)               ARP, IPv6, local, ICMP errors)
 * </pre>
 * Every frame ends forwarded, answered or counted as a drop with its reason on the ingress port.
 * Frames whose next hop is unresolved wait in a bounded queue while the gateway ARPs
 * ({@link Adjacencies}). Outbound frames go to the outside port whose prefix holds the destination,
 * else the default route; routes the control plane {@link #addRoute adds} come first ({@link Routes}).
 * The control plane speaks UDP from the gateway's own addresses through the {@link ForwarderConfig#localPort()
 * local port} ({@link LocalDelivery}).
 */
public final class Forwarder implements FrameProcessor
{
    private static final int EXPIRY_BATCH = 256;
    private static final ErrorHandler RETHROW = LangUtil::rethrowUnchecked;

    private final NatEngine nat;
    private final Routes routes;
    private final LocalDelivery local;
    private final ArpInput arp;
    private final Adjacencies adjacencies;
    private final Classifier classifier;
    private final NatStage natStage;
    private final Egress egress;
    private final SourceBinding sourceBinding;
    private final BurstState single = new BurstState(new FrameVector(1));
    private final BurstState released = new BurstState(new FrameVector(1));
    private final BurstState verified = new BurstState(new FrameVector(1));
    private final BurstState handedOff = new BurstState(new FrameVector(1));
    private final UnsafeBuffer releaseScratch = new UnsafeBuffer(new byte[HEADROOM + PendingFrames.SLOT_BYTES + 64]);
    private BurstState burst;
    private boolean releasing;

    public Forwarder(final ForwarderConfig config, final NatEngine nat, final DatapathCounters counters)
    {
        config.validate();
        this.nat = nat;
        final PortSettings[] ports = config.ports().toArray(new PortSettings[0]);
        int insideMtu = Integer.MAX_VALUE;
        for (final PortSettings port : ports)
        {
            if (port.role() == PortRole.INSIDE)
            {
                insideMtu = Math.min(insideMtu, port.mtu());
            }
        }
        final ArpSender arpSender = new ArpSender();
        final Ipv4Input input = new Ipv4Input(counters);
        routes = new Routes(ports, config.localPort(), config.maxRoutes(), config.insideRoutes());
        adjacencies = new Adjacencies(config, ports, counters, arpSender);
        for (final StaticNeighbour neighbour : config.staticNeighbours())
        {
            if (!adjacencies.table(neighbour.portIndex()).pin(neighbour.address(), neighbour.mac()))
            {
                throw new ConfigurationException("ports." + ports[neighbour.portIndex()].name() + ".neighbours",
                    neighbour, "too many static neighbours share its slots in the neighbour table (arp.neighbours)");
            }
        }
        final Ipv4Output output = new Ipv4Output(ports, adjacencies);
        final IcmpErrors icmpErrors = new IcmpErrors(ports, counters, output, config.icmpErrorsPerSecond());
        local = new LocalDelivery(config, ports, nat, counters, routes, input, output, adjacencies);
        sourceBinding = new SourceBinding(config, ports, counters, adjacencies);
        sourceBinding.reprocessor(this::reprocess);
        arp = new ArpInput(config, ports, nat, counters, adjacencies, arpSender, sourceBinding);
        classifier = new Classifier(ports, config.insideRoutes(), insideMtu, nat, counters, routes, local, input,
            sourceBinding);
        natStage = new NatStage(nat, counters, icmpErrors);
        egress = new Egress(counters, nat, routes, classifier, output, icmpErrors, arp,
            new Ipv6Passthrough(ports, counters, config.ipv6()), local, sourceBinding);
    }

    public void process(
        final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort, final long nowNs,
        final FrameSink sink)
    {
        final BurstState single = this.single;
        single.frames.clear();
        single.frames.add(buffer, offset, length, ingressPort);
        run(single, false, nowNs, sink, RETHROW);
    }

    public void processBurst(final FrameVector frames, final long nowNs, final FrameSink sink, final ErrorHandler errors)
    {
        BurstState burst = this.burst;
        if (burst == null || burst.frames != frames)
        {
            burst = new BurstState(frames); // once per vector the worker owns, not per burst
            this.burst = burst;
        }
        run(burst, false, nowNs, sink, errors);
    }

    /**
     * Runs a frame that waited for its source's resolution through every pass, with a burst state of its own
     * (it is released while another frame, the ARP reply, is in the last pass).
     */
    private void reprocess(
        final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort, final long nowNs,
        final FrameSink sink)
    {
        final BurstState verified = this.verified;
        verified.frames.clear();
        verified.frames.add(buffer, offset, length, ingressPort);
        run(verified, false, nowNs, sink, RETHROW);
    }

    private void run(
        final BurstState state, final boolean ipOnly, final long nowNs, final FrameSink sink, final ErrorHandler errors)
    {
        final int size = state.size();
        final boolean prefetch = size > 1;
        final int[] next = state.next;
        for (int i = 0; i < size; i++)
        {
            try
            {
                classifier.classify(state, i, ipOnly, prefetch);
            }
            catch (final RuntimeException ex)
            {
                failed(state, i, errors, ex);
            }
        }
        if (prefetch)
        {
            nat.prefetchSessions();
        }
        for (int i = 0; i < size; i++)
        {
            if (next[i] == Next.NAT_OUT || next[i] == Next.NAT_IN)
            {
                try
                {
                    natStage.fast(state, i, nowNs);
                }
                catch (final RuntimeException ex)
                {
                    failed(state, i, errors, ex);
                }
            }
        }
        for (int i = 0; i < size; i++)
        {
            if (next[i] == Next.NAT_SLOW_OUT || next[i] == Next.NAT_SLOW_IN)
            {
                try
                {
                    natStage.slow(state, i, nowNs, sink);
                    if (next[i] != Next.DONE && !releasing && nat.hasReleasedFragment())
                    {
                        // a first fragment: it goes now, then the later ones that waited for it
                        egress.process(state, i, nowNs, sink);
                        releaseHeldFragments(state.ingressPort(i), nowNs, sink, errors);
                    }
                }
                catch (final RuntimeException ex)
                {
                    failed(state, i, errors, ex);
                }
            }
        }
        for (int i = 0; i < size; i++)
        {
            if (next[i] != Next.DONE)
            {
                try
                {
                    egress.process(state, i, nowNs, sink);
                }
                catch (final RuntimeException ex)
                {
                    failed(state, i, errors, ex);
                }
            }
        }
    }

    private static void failed(final BurstState state, final int i, final ErrorHandler errors, final RuntimeException ex)
    {
        state.next[i] = Next.DONE;
        errors.onError(ex);
    }

    private void releaseHeldFragments(
        final int ingressPort, final long nowNs, final FrameSink sink, final ErrorHandler errors)
    {
        final UnsafeBuffer scratch = releaseScratch;
        final BurstState released = this.released;
        releasing = true;
        try
        {
            int length;
            while ((length = nat.pollReleasedFragment(scratch, HEADROOM)) > 0)
            {
                released.frames.clear();
                released.frames.add(scratch, HEADROOM, length, ingressPort);
                run(released, true, nowNs, sink, errors);
            }
        }
        finally
        {
            releasing = false;
        }
    }

    /**
     * A hairpin another worker's engine handed over ({@link NatEngine#HANDOFF}): the destination translated
     * here, then routed back inside as any hairpin.
     */
    @Override
    public void processHandoff(
        final MutableDirectBuffer buffer, final int ipOffset, final int ipLength, final int ingressPort,
        final int offload, final long nowNs, final FrameSink sink)
    {
        final BurstState state = this.handedOff;
        state.frames.clear();
        state.frames.add(buffer, ipOffset, ipLength, ingressPort, offload);
        natStage.handedOff(state, 0, nowNs, sink);
        if (state.next[0] != Next.DONE)
        {
            egress.process(state, 0, nowNs, sink);
        }
    }

    /**
     * Checksum-partial frames and aggregates are translated as they are and sent on with their state.
     */
    @Override
    public boolean acceptsOffloads()
    {
        return true;
    }

    public int onTimer(final long nowNs, final FrameSink sink)
    {
        nat.commandTimeNs(nowNs);
        return nat.expire(nowNs, EXPIRY_BATCH) + adjacencies.onTimer(nowNs, sink) + sourceBinding.onTimer(nowNs, sink);
    }

    public void onStart(final FrameSink sink)
    {
        announce(sink);
    }

    /**
     * Sends a gratuitous ARP for each of the gateway's addresses on each Ethernet port, so
     * neighbours learn (or relearn) its MAC at start.
     *
     * @return the number of announcements sent.
     */
    public int announce(final FrameSink sink)
    {
        return arp.announce(sink);
    }

    /**
     * Routes outbound traffic for a prefix to an outside port ahead of the ports' own prefixes and
     * default routes; the same prefix again moves it to {@code portIndex}. Call on the worker thread
     * only, e.g. through {@code Pipeline.callOnWorker}.
     *
     * @return false when the route table is full.
     * @throws IllegalArgumentException when the port is not an outside port or the prefix length is not 0..32.
     */
    public boolean addRoute(final int network, final int prefixLength, final int portIndex)
    {
        return routes.add(network, prefixLength, portIndex);
    }

    /**
     * Removes every route to a port added by {@link #addRoute}. Worker thread only.
     *
     * @return the number of routes removed.
     */
    public int removeRoutes(final int portIndex)
    {
        return routes.removeTo(portIndex);
    }

    /**
     * @return the routes added by {@link #addRoute}. Worker thread only.
     */
    public int routeCount()
    {
        return routes.count();
    }

    /**
     * Punts UDP datagrams for {@code address:udpPort} to the local port from now on: those arriving on the
     * port whose own address {@code address} is. Registering an endpoint twice is harmless. Worker thread only.
     *
     * @return false when the endpoint table is full.
     * @throws IllegalStateException    when no local port is configured.
     * @throws IllegalArgumentException when no port has the address, or the UDP port is not 1..65535.
     */
    public boolean addLocalEndpoint(final int address, final int udpPort)
    {
        return local.addEndpoint(address, udpPort);
    }

    /**
     * Stops punting datagrams for {@code address:udpPort}. Worker thread only.
     *
     * @return false when it was not registered.
     */
    public boolean removeLocalEndpoint(final int address, final int udpPort)
    {
        return local.removeEndpoint(address, udpPort);
    }

    /**
     * @return the endpoints registered by {@link #addLocalEndpoint}. Worker thread only.
     */
    public int localEndpointCount()
    {
        return local.endpointCount();
    }
}
