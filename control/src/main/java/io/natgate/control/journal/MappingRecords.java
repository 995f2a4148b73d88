package io.natgate.control.journal;

import io.natgate.datapath.nat.MappingKind;
import org.agrona.collections.LongHashSet;

/**
 * Which mappings get a log record of their own. With port blocks or deterministic NAT a dynamic mapping
 * gets none (its block's record, or the formula, says who held its port); static and inbound mappings
 * always do. Remembers the unlogged mappings that are live, so their end is not logged either. Used by the
 * journal and the exporters alike; single-threaded (the event thread).
 */
public final class MappingRecords
{
    private final LongHashSet unlogged = new LongHashSet();
    private boolean perMapping = true;

    /**
     * @param perMapping false with port blocks or deterministic NAT ({@code NatConfig.logsPerMapping()}).
     */
    public MappingRecords perMapping(final boolean perMapping)
    {
        this.perMapping = perMapping;
        return this;
    }

    /**
     * @return whether the mapping just made gets a record.
     */
    public boolean created(final int protocol, final int publicAddress, final int publicPort, final int kind)
    {
        if (!perMapping && kind == MappingKind.DYNAMIC.id())
        {
            unlogged.add(key(protocol, publicAddress, publicPort));
            return false;
        }
        return true;
    }

    /**
     * @return whether the mapping's end gets a record (it got one when made).
     */
    public boolean ended(final int protocol, final int publicAddress, final int publicPort)
    {
        return !unlogged.remove(key(protocol, publicAddress, publicPort));
    }

    /**
     * @return whether the live mapping has records (its refreshes, its sessions' mapping activity).
     */
    public boolean logged(final int protocol, final int publicAddress, final int publicPort)
    {
        return perMapping || !unlogged.contains(key(protocol, publicAddress, publicPort));
    }

    static long key(final int protocol, final int publicAddress, final int publicPort)
    {
        return ((long)protocol << 48) | ((publicAddress & 0xFFFF_FFFFL) << 16) | publicPort;
    }
}
