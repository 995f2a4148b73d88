package io.natgate.control.cp;

/**
 * Where a provider instance is in its lifecycle:
 * <pre>
 *   CREATED ─register─► REGISTERED ─transition active, local transport id─► ACTIVE
 *      ▲                    │                                                 │
 *      │                    └───────────── terminate (any reason) ────────────┴─► TERMINATED
 *      │                                                                              │
 *      └───────────── deregister returns ◄── DEREGISTERING ◄── deregister ◄───────────┘ (or from REGISTERED/ACTIVE)
 *   CREATED ─destroy─► DESTROYED
 * </pre>
 */
public enum InstanceState
{
    /** Created and not registered, or deregistered and free to be registered again or destroyed. */
    CREATED,
    /** Registered; the platform is establishing the session. */
    REGISTERED,
    /** The session is established: routes may point at the instance's interface. */
    ACTIVE,
    /** The session was terminated; the provider has yet to deregister. */
    TERMINATED,
    /** The provider called deregister, which waits for the outstanding calls. */
    DEREGISTERING,
    /** Destroyed; the handle is dead. */
    DESTROYED
}
