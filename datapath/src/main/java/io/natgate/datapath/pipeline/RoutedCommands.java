package io.natgate.datapath.pipeline;

import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.NatCommands;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatWorkers;
import io.natgate.datapath.nat.WorkerSteering;

import java.util.function.Supplier;

/**
 * The control plane's commands to a pipeline's N workers, each sent to the worker that owns it as
 * {@link NatWorkers} routes them: a command naming an inside host to that host's worker's command ring; a
 * static mapping made on its inside host's worker with its public port first reserved on every other worker
 * (so none hands it out meanwhile) and listed with the steering once made, each step a task on the worker
 * that owns the table it changes. One worker: every command onto its ring, as before.
 * <p>
 * One control-plane thread at a time (the caller serialises), like a {@link NatCommandEncoder}. Correlation ids
 * come from worker 0's ring for every worker, so they are unique across workers.
 */
public final class RoutedCommands implements NatCommands
{
    private final Pipeline pipeline;
    private final NatWorkers workers;
    private final WorkerSteering steering;
    private final NatCommandEncoder[] encoders;
    private final long timeoutNs;
    private boolean lastOfferSucceeded = true;

    /**
     * @param workers   the engines the pipeline runs, one per worker, and their steering.
     * @param timeoutNs how long a task on a worker may take before the command fails.
     */
    public RoutedCommands(final Pipeline pipeline, final NatWorkers workers, final long timeoutNs)
    {
        if (pipeline.workers() != workers.workers())
        {
            throw new IllegalArgumentException(workers.workers() + " engines for " + pipeline.workers() + " workers");
        }
        this.pipeline = pipeline;
        this.workers = workers;
        this.steering = workers.steering();
        this.timeoutNs = timeoutNs;
        encoders = new NatCommandEncoder[workers.workers()];
        for (int worker = 0; worker < encoders.length; worker++)
        {
            encoders[worker] = pipeline.newCommandEncoder(worker);
        }
    }

    public long nextCorrelationId()
    {
        return encoders[0].nextCorrelationId();
    }

    /**
     * @return whether the last command was queued (or, done as tasks, applied); false only for a full command
     * ring, which the caller retries.
     */
    public boolean lastOfferSucceeded()
    {
        return lastOfferSucceeded;
    }

    public void addStaticMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort)
    {
        final int owner = steering.insideWorker(insideAddress);
        if (encoders.length == 1)
        {
            final NatCommandEncoder encoder = onRing(owner);
            encoder.addStaticMapping(correlationId, protocol, insideAddress, insidePort, publicAddress,
                publicPort);
            offered(encoder);
            return;
        }
        lastOfferSucceeded = true;
        int reserved = 0;
        for (int other = 0; other < encoders.length; other++)
        {
            final NatEngine engine = workers.engine(other);
            if (other != owner && !onWorker(other, () -> engine.reservePort(protocol, publicAddress, publicPort)))
            {
                unreserve(owner, reserved, protocol, publicAddress, publicPort);
                onWorker(owner, () -> reject(owner, correlationId, CommandStatus.PUBLIC_ENDPOINT_IN_USE));
                return;
            }
            reserved = other + 1;
        }
        final NatEngine engine = workers.engine(owner);
        final boolean made = onWorker(owner, () ->
        {
            final boolean wasFree = engine.isPortFree(protocol, publicAddress, publicPort);
            engine.commandTimeNs(now());
            engine.addStaticMapping(correlationId, protocol, insideAddress, insidePort, publicAddress, publicPort);
            return wasFree && !engine.isPortFree(protocol, publicAddress, publicPort);
        });
        if (made)
        {
            steering.addStatic(protocol, publicAddress, publicPort, insideAddress);
        }
        else
        {
            unreserve(owner, encoders.length, protocol, publicAddress, publicPort);
        }
    }

    public void removeStaticMapping(
        final long correlationId, final int protocol, final int publicAddress, final int publicPort)
    {
        final int owner = steering.publicWorker(protocol, publicAddress, publicPort);
        if (encoders.length == 1)
        {
            final NatCommandEncoder encoder = onRing(owner);
            encoder.removeStaticMapping(correlationId, protocol, publicAddress, publicPort);
            offered(encoder);
            return;
        }
        lastOfferSucceeded = true;
        final boolean listed = steering.staticWorker(protocol, publicAddress, publicPort) >= 0;
        final NatEngine engine = workers.engine(owner);
        final boolean freed = onWorker(owner, () ->
        {
            engine.commandTimeNs(now());
            engine.removeStaticMapping(correlationId, protocol, publicAddress, publicPort);
            return listed && engine.isPortFree(protocol, publicAddress, publicPort);
        });
        if (freed)
        {
            steering.removeStatic(protocol, publicAddress, publicPort);
            unreserve(owner, encoders.length, protocol, publicAddress, publicPort);
        }
    }

    public void openInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicPort, final int remoteAddress, final long lifetimeNs)
    {
        final NatCommandEncoder encoder = onRing(steering.insideWorker(insideAddress));
        encoder.openInboundMapping(
            correlationId, protocol, insideAddress, insidePort, publicPort, remoteAddress, lifetimeNs);
        offered(encoder);
    }

    public void closeInboundMapping(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort)
    {
        final NatCommandEncoder encoder = onRing(steering.insideWorker(insideAddress));
        encoder.closeInboundMapping(
            correlationId, protocol, insideAddress, insidePort);
        offered(encoder);
    }

    public void removeSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int remoteAddress, final int remotePort)
    {
        final NatCommandEncoder encoder = onRing(steering.insideWorker(insideAddress));
        encoder.removeSession(
            correlationId, protocol, insideAddress, insidePort, remoteAddress, remotePort);
        offered(encoder);
    }

    /**
     * On the inside host's worker, which must own the public port the active peer chose, else completed
     * {@link CommandStatus#OTHER_WORKERS_PORT} by that worker.
     */
    public void replicateSession(
        final long correlationId, final int protocol, final int insideAddress, final int insidePort,
        final int publicAddress, final int publicPort, final int remoteAddress, final int remotePort, final int state)
    {
        final int worker = steering.insideWorker(insideAddress);
        if (encoders.length > 1 && steering.ports().owner(publicPort) != worker)
        {
            lastOfferSucceeded = true;
            onWorker(worker, () -> reject(worker, correlationId, CommandStatus.OTHER_WORKERS_PORT));
            return;
        }
        final NatCommandEncoder encoder = onRing(worker);
        encoder.replicateSession(correlationId, protocol, insideAddress, insidePort, publicAddress, publicPort,
            remoteAddress, remotePort, state);
        offered(encoder);
    }

    private NatCommandEncoder onRing(final int worker)
    {
        return encoders[worker];
    }

    private void offered(final NatCommandEncoder encoder)
    {
        lastOfferSucceeded = encoder.lastOfferSucceeded();
    }

    private boolean reject(final int worker, final long correlationId, final CommandStatus status)
    {
        workers.reject(worker, correlationId, status, now());
        return true;
    }

    /**
     * Gives back the port reserved on workers below {@code upTo}, the owner's excepted.
     */
    private void unreserve(
        final int owner, final int upTo, final int protocol, final int publicAddress, final int publicPort)
    {
        for (int other = 0; other < upTo; other++)
        {
            if (other != owner)
            {
                final NatEngine engine = workers.engine(other);
                onWorker(other, () ->
                {
                    engine.unreservePort(protocol, publicAddress, publicPort);
                    return true;
                });
            }
        }
    }

    private boolean onWorker(final int worker, final Supplier<Boolean> task)
    {
        return pipeline.callOnWorker(worker, task, timeoutNs);
    }

    private long now()
    {
        return pipeline.config().nanoClock().nanoTime();
    }
}
