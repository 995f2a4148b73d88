package io.natgate.control.gateway;

import io.natgate.bindings.linux.CpuAffinity;
import io.natgate.control.profile.CpuPinning;
import io.natgate.control.profile.CpuPinning.ThreadKind;
import org.agrona.concurrent.AgentRunner;

import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Starts the gateway's agent threads pinned to the CPUs the hardware profile gives their kind
 * (rx, tx, worker, network, shared, control), telling the kind from the agent's role name.
 * With no pinning it is a plain factory.
 */
public final class PinningThreadFactory implements ThreadFactory
{
    private final CpuPinning pinning;

    public PinningThreadFactory(final CpuPinning pinning)
    {
        this.pinning = pinning;
    }

    public Thread newThread(final Runnable runnable)
    {
        final String role = runnable instanceof AgentRunner runner ? runner.agent().roleName() : "natgate-control";
        final List<Integer> cpus = pinning.cpusOf(kindOf(role));
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
            return roleName.contains("natgate-worker") ? ThreadKind.SHARED : ThreadKind.NETWORK;
        }
        if (roleName.startsWith("natgate-rx-"))
        {
            return ThreadKind.RX;
        }
        if (roleName.startsWith("natgate-tx-"))
        {
            return ThreadKind.TX;
        }
        if (roleName.equals("natgate-worker"))
        {
            return ThreadKind.WORKER;
        }
        return ThreadKind.CONTROL;
    }
}
