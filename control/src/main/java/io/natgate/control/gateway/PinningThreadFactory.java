package io.natgate.control.gateway;

import io.natgate.bindings.linux.CpuAffinity;
import io.natgate.control.profile.CpuPinning;
import io.natgate.control.profile.CpuPinning.ThreadKind;
import org.agrona.concurrent.AgentRunner;

import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Starts the gateway's agent threads pinned to the CPUs the hardware profile gives their kind
 * (rx, tx, worker, network, shared, control), telling the kind from the agent's role name. With
 * several workers ({@code natgate-worker-K}) worker K takes the K-th CPU of the worker list.
 * With no pinning it is a plain factory.
 */
public final class PinningThreadFactory implements ThreadFactory
{
    private static final String WORKER_ROLE = "natgate-worker";
    private static final String INDEXED_WORKER_ROLE = WORKER_ROLE + "-";

    private final CpuPinning pinning;

    public PinningThreadFactory(final CpuPinning pinning)
    {
        this.pinning = pinning;
    }

    public Thread newThread(final Runnable runnable)
    {
        final String role = runnable instanceof AgentRunner runner ? runner.agent().roleName() : "natgate-control";
        final int worker = workerIndexOf(role);
        final List<Integer> cpus = worker >= 0 ? pinning.cpusOfWorker(worker) : pinning.cpusOf(kindOf(role));
        if (cpus.isEmpty())
        {
            return new Thread(runnable);
        }
        return new Thread(() ->
        {
            CpuAffinity.pinCurrentThread(cpus);
            runnable.run();
        });
    }

    /**
     * @return the kind of thread an agent with this role name runs on.
     */
    static ThreadKind kindOf(final String roleName)
    {
        if (roleName.startsWith("["))
        {
            // a composite: every agent on one thread, or the network agents together
            return roleName.contains(WORKER_ROLE) ? ThreadKind.SHARED : ThreadKind.NETWORK;
        }
        if (roleName.startsWith("natgate-rx-"))
        {
            return ThreadKind.RX;
        }
        if (roleName.startsWith("natgate-tx-"))
        {
            return ThreadKind.TX;
        }
        if (roleName.equals(WORKER_ROLE) || workerIndexOf(roleName) >= 0)
        {
            return ThreadKind.WORKER;
        }
        return ThreadKind.CONTROL;
    }

    /**
     * @return K for the role {@code natgate-worker-K} (one of several workers), else -1.
     */
    static int workerIndexOf(final String roleName)
    {
        if (!roleName.startsWith(INDEXED_WORKER_ROLE))
        {
            return -1;
        }
        final String index = roleName.substring(INDEXED_WORKER_ROLE.length());
        if (index.isEmpty() || index.length() > 3 || !index.chars().allMatch(Character::isDigit))
        {
            return -1;
        }
        return Integer.parseInt(index);
    }
}
