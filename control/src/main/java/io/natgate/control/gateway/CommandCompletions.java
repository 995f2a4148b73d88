package io.natgate.control.gateway;

import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.NatEventListener;

import java.util.function.Consumer;

/**
 * A NAT event listener that hears only how commands completed, for callers that drive an engine themselves (the
 * demo, a capture replay, tests) and want each command's outcome.
 */
public final class CommandCompletions implements NatEventListener
{
    private final Consumer<CommandCompletion> completions;

    public CommandCompletions(final Consumer<CommandCompletion> completions)
    {
        this.completions = completions;
    }

    public void onCommandCompleted(
        final long timeNs, final long correlationId, final int status, final int publicAddress, final int publicPort)
    {
        completions.accept(new CommandCompletion(correlationId, CommandStatus.get(status), publicAddress, publicPort));
    }
}
