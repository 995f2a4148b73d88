package io.natgate.datapath;

import java.util.Arrays;

/**
 * A constant with a stable id (what counters' slots, events and the journal carry) and a label in words
 * (what is printed). The enums of drop reasons, counters, command statuses and denial reasons implement it,
 * and look their constants up by id through {@link #index} and {@link #get}, built here once.
 */
public interface IdLabel
{
    /**
     * @return the stable id.
     */
    int id();

    /**
     * @return what it means, in words.
     */
    String label();

    /**
     * @param values an enum's constants.
     * @return the constants by id, null where no constant has that id.
     * @throws IllegalStateException when two constants share an id.
     */
    static <E extends IdLabel> E[] index(final E[] values)
    {
        int maxId = -1;
        for (final E value : values)
        {
            maxId = Math.max(maxId, value.id());
        }
        final E[] byId = Arrays.copyOf(values, maxId + 1);
        Arrays.fill(byId, null);
        for (final E value : values)
        {
            if (byId[value.id()] != null)
            {
                throw new IllegalStateException("duplicate id " + value.id() + ": " + byId[value.id()] + " and " + value);
            }
            byId[value.id()] = value;
        }
        return byId;
    }

    /**
     * @param byId what {@link #index} built.
     * @param what what the id is of, for the error: "drop reason id", "command status".
     * @return the constant with this id.
     * @throws IllegalArgumentException when no constant has this id.
     */
    static <E extends IdLabel> E get(final E[] byId, final int id, final String what)
    {
        if (id < 0 || id >= byId.length || byId[id] == null)
        {
            throw new IllegalArgumentException("unknown " + what + " " + id);
        }
        return byId[id];
    }
}
