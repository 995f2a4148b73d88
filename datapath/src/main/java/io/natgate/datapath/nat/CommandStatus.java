package io.natgate.datapath.nat;

import io.natgate.datapath.IdLabel;

/**
 * Outcome of a {@link NatCommands} command. Ids are stable.
 */
public enum CommandStatus implements IdLabel
{
    OK(0, "applied"),
    NOT_A_PUBLIC_ADDRESS(1, "public address not in the pool"),
    PUBLIC_ENDPOINT_IN_USE(2, "public endpoint already mapped"),
    OUT_OF_PORTS(3, "no free public port"),
    TABLE_FULL(4, "mapping table full"),
    NOT_FOUND(5, "no such mapping"),
    BAD_ARGUMENT(6, "protocol, address or port invalid"),
    CONFLICTS_WITH_STATIC(7, "inside endpoint has a static mapping"),
    QUOTA_EXCEEDED(8, "client over its port quota"),
    OTHER_WORKERS_PORT(9, "public port in another worker's range (the worker count changed)");

    private static final CommandStatus[] BY_ID = IdLabel.index(values());

    private final int id;
    private final String label;

    CommandStatus(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    @Override
    public int id()
    {
        return id;
    }

    @Override
    public String label()
    {
        return label;
    }

    /**
     * @return the status with this id.
     * @throws IllegalArgumentException for an unknown id.
     */
    public static CommandStatus get(final int id)
    {
        return IdLabel.get(BY_ID, id, "command status");
    }
}
