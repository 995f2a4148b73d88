package io.natgate.control.ha;

/**
 * What a gateway of an HA pair does: the active forwards and replicates, the standby follows and waits.
 */
public enum HaRole
{
    STANDBY(0),
    ACTIVE(1);

    private final int id;

    HaRole(final int id)
    {
        this.id = id;
    }

    public int id()
    {
        return id;
    }

    /**
     * @return the role of a heartbeat's id; anything unknown is taken as standby (it claims nothing).
     */
    public static HaRole of(final int id)
    {
        return id == ACTIVE.id ? ACTIVE : STANDBY;
    }

    public String label()
    {
        return name().toLowerCase();
    }
}
