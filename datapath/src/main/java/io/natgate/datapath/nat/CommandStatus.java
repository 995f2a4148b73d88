package io.natgate.datapath.nat;

/**
 * Outcome of a {@link NatCommands} command. Ids are stable.
 */
public enum CommandStatus
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

    private final int id;
    private final String label;

    CommandStatus(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    public int id()
    {
        return id;
    }

    public String label()
    {
        return label;
    }

    public static CommandStatus get(final int id)
    {
        for (final CommandStatus status : values())
        {
            if (status.id == id)
            {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown command status " + id);
    }
}
