package io.natgate.control.cp;

/**
 * The optional parameters of {@link ConnectivityPlatform#register}: the interface's friendly name,
 * the id of an interface from an earlier session, flags and a security descriptor.
 */
public final class RegisterOptions
{
    /**
     * The longest friendly name, in UTF-16 chars (Windows' interface string size less its terminator);
     * longer names are truncated silently, never inside a surrogate pair.
     */
    public static final int MAX_FRIENDLY_NAME_LENGTH = 255;

    /** The name a registration without one gets, followed by " #N", the lowest number free. */
    public static final String DEFAULT_FRIENDLY_NAME = "Connectivity Platform Adapter";

    /** No flags: the only value defined so far. */
    public static final int FLAGS_NONE = 0;

    private String friendlyName;
    private long interfaceId;
    private int flags = FLAGS_NONE;
    private String securityDescriptor;

    /**
     * @return no name, a new interface, no flags, no security descriptor.
     */
    public static RegisterOptions defaults()
    {
        return new RegisterOptions();
    }

    /**
     * @param friendlyName the interface's name; null or empty for the default. A name an interface
     *                     already has (case ignored) gets " #2", " #3", ... appended.
     */
    public RegisterOptions friendlyName(final String friendlyName)
    {
        this.friendlyName = friendlyName;
        return this;
    }

    public String friendlyName()
    {
        return friendlyName;
    }

    /**
     * @param interfaceId the id a registration in an earlier session returned, to keep that interface (and
     *                    its name when none is given); 0 for a new interface.
     */
    public RegisterOptions interfaceId(final long interfaceId)
    {
        this.interfaceId = interfaceId;
        return this;
    }

    public long interfaceId()
    {
        return interfaceId;
    }

    /**
     * @param flags {@link #FLAGS_NONE}; other bits are reserved and refused.
     */
    public RegisterOptions flags(final int flags)
    {
        this.flags = flags;
        return this;
    }

    public int flags()
    {
        return flags;
    }

    /**
     * @param securityDescriptor who may use the interface, in the provider's notation (SDDL on Windows);
     *                           recorded and listed, not enforced: the gateway has no local users. Null for none.
     */
    public RegisterOptions securityDescriptor(final String securityDescriptor)
    {
        this.securityDescriptor = securityDescriptor;
        return this;
    }

    public String securityDescriptor()
    {
        return securityDescriptor;
    }

    /**
     * @throws IllegalArgumentException naming the bad parameter.
     */
    RegisterOptions validate()
    {
        if (flags != FLAGS_NONE)
        {
            throw new IllegalArgumentException("register flags: no flags are defined, got 0x" + Integer.toHexString(flags));
        }
        if (interfaceId < 0)
        {
            throw new IllegalArgumentException("register interfaceId: must be 0 (new) or an id from an earlier " +
                "registration, got " + interfaceId);
        }
        if (securityDescriptor != null && securityDescriptor.isBlank())
        {
            throw new IllegalArgumentException("register securityDescriptor: blank; give null for none");
        }
        return this;
    }
}
