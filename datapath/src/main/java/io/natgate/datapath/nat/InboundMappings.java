package io.natgate.datapath.nat;

/**
 * The mappings that expire by a deadline of their own rather than by their sessions: inbound
 * mappings the control plane opened and restored dynamic mappings still held. Few, bounded, and
 * scanned a few times a second.
 */
final class InboundMappings
{
    private final int[] mappings;
    private int count;

    InboundMappings(final int capacity)
    {
        mappings = new int[capacity];
    }

    boolean isFull()
    {
        return count == mappings.length;
    }

    /**
     * The caller checks {@link #isFull} first.
     */
    void add(final int mapping)
    {
        mappings[count++] = mapping;
    }

    void forget(final int mapping)
    {
        for (int i = 0; i < count; i++)
        {
            if (mappings[i] == mapping)
            {
                mappings[i] = mappings[--count];
                return;
            }
        }
    }

    int count()
    {
        return count;
    }

    int get(final int index)
    {
        return mappings[index];
    }
}
