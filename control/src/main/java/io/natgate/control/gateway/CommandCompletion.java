package io.natgate.control.gateway;

import io.natgate.datapath.nat.CommandStatus;

/**
 * How the worker answered a command: its status and the public endpoint it resulted in.
 */
public record CommandCompletion(long correlationId, CommandStatus status, int publicAddress, int publicPort)
{
    public boolean isOk()
    {
        return status == CommandStatus.OK;
    }
}
