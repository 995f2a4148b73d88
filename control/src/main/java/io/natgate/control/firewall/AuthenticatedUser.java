package io.natgate.control.firewall;

import java.util.Set;

/**
 * A user an application filter authenticated, that a private session impersonates: rules naming
 * this user, or a group it belongs to, match the session's flows. Names compare exactly.
 */
public record AuthenticatedUser(String name, Set<String> groups)
{
    public AuthenticatedUser
    {
        if (name == null || name.isBlank())
        {
            throw new IllegalArgumentException("an authenticated user needs a name");
        }
        groups = Set.copyOf(groups);
    }

    public AuthenticatedUser(final String name)
    {
        this(name, Set.of());
    }

    public boolean isMemberOf(final String group)
    {
        return groups.contains(group);
    }
}
