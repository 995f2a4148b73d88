package io.natgate.datapath;

/**
 * What every configuration object shares: it is filled in through its setters, then checked once by
 * its {@code validate()}, which names the first bad key and value ({@link ConfigurationException})
 * and freezes it. A setter called on a validated configuration throws {@link IllegalStateException},
 * so a component that was built from a configuration never sees it change under it.
 */
public abstract class ValidatedConfiguration
{
    private boolean validated;

    /**
     * @return whether {@code validate()} has passed, after which the configuration no longer changes.
     */
    public final boolean isValidated()
    {
        return validated;
    }

    /**
     * Called by {@code validate()} once every check has passed.
     */
    protected final void freeze()
    {
        validated = true;
    }

    /**
     * Called first by every setter.
     *
     * @throws IllegalStateException when the configuration has been validated.
     */
    protected final void checkMutable()
    {
        if (validated)
        {
            throw new IllegalStateException(getClass().getSimpleName() + " is validated and no longer changes");
        }
    }
}
