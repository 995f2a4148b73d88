package io.natgate.datapath.nat;

/**
 * How a mapping came to exist. Ids are stable (they are journaled).
 */
public enum MappingKind
{
    /** Created by an outbound packet. */
    DYNAMIC(0),
    /** A configured port forward; never expires. */
    STATIC(1),
    /** Opened by the control plane (private session, PCP/NAT-PMP); expires at its lifetime. */
    INBOUND(2);

    private final int id;

    MappingKind(final int id)
    {
        this.id = id;
    }

    public int id()
    {
        return id;
    }

    public static MappingKind get(final int id)
    {
        return switch (id)
        {
            case 0 -> DYNAMIC;
            case 1 -> STATIC;
            case 2 -> INBOUND;
            default -> throw new IllegalArgumentException("unknown mapping kind " + id);
        };
    }
}
