package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;
import io.natgate.datapath.port.ProviderPort;

import java.util.List;

/**
 * The datapath as the Connectivity Platform sees it: a fixed set of provider interface slots, each a
 * {@link ProviderPort} of the pipeline with the gateway's address on it, and the routes that send
 * outbound traffic to them. {@link ProviderSlots} makes one over a running pipeline.
 */
public interface ProviderDatapath
{
    /**
     * @return how many instances can be registered at once.
     */
    int slotCount();

    ProviderPort port(int slot);

    /**
     * @return the gateway's address on the slot's interface: the instance's local transport id.
     */
    int localAddress(int slot);

    /**
     * @return the names of the datapath's own ports, which friendly names must not repeat.
     */
    List<String> portNames();

    /**
     * Routes outbound traffic for a prefix to the slot's interface, and returns once the worker does.
     *
     * @return false when the datapath's route table is full.
     * @throws IllegalStateException when the datapath did not answer in time.
     */
    boolean addRoute(int slot, Ipv4Prefix prefix);

    /**
     * Removes every route to the slot's interface, and returns once the worker did.
     *
     * @throws IllegalStateException when the datapath did not answer in time.
     */
    void removeRoutes(int slot);
}
