package io.natgate.control.firewall;

import io.natgate.control.gateway.CommandCompletion;
import io.natgate.datapath.nat.NatCommands;

import java.util.function.BiConsumer;

/**
 * How the firewall reaches the NAT engine's commands and waits for their outcome: a running gateway's
 * {@code Gateway::submit} (the worker's command ring), or an engine called directly in tests.
 */
@FunctionalInterface
public interface NatCommandChannel
{
    /**
     * @param command given the command API and a fresh correlation id.
     * @throws IllegalStateException when the worker does not answer.
     */
    CommandCompletion submit(BiConsumer<NatCommands, Long> command);
}
