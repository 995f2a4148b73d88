package io.natgate.control.firewall;

import io.natgate.datapath.IdLabel;

/**
 * Why the firewall refused a flow or a session request. Ids are stable (events and the journal
 * carry them); 0 is not a reason but "allowed" in the compiled policy's decisions.
 */
public enum DenialReason implements IdLabel
{
    /** A deny rule matched, or no rule allowed an inbound primary connection (inbound is denied by default). */
    POLICY_RULES_DENIED(1, "denied by the access rules"),
    /** The addresses are outside what this gateway serves: not a client on an inside network, not an inside interface. */
    NETWORK_RULES_DENIED(2, "outside the gateway's inside networks"),
    /** The session is anonymous and a rule that would have allowed it needs an authenticated user. */
    NOT_AUTHENTICATED(3, "needs an authenticated user"),
    /** The NAT could not give the session a public endpoint (port in use, none free, table or quota full). */
    NAT_ADDRESS_NOT_AVAILABLE(4, "no public endpoint available"),
    /** An inbound connection through a control-plane mapping that no open session directs to the client. */
    NO_SESSION(5, "no open session directs it to the client"),
    /** The session was terminated: it directs nothing and refuses use. */
    SESSION_TERMINATED(6, "session terminated"),
    /** The client address has as many open sessions as it may have, or the firewall as many as it holds. */
    SESSION_LIMIT(7, "too many sessions"),
    /** Another open session of the client holds the inbound mapping asked for; it belongs to that session. */
    MAPPING_HELD(8, "another session holds that mapping");

    private static final DenialReason[] BY_ID = IdLabel.index(values());

    private final int id;
    private final String label;

    DenialReason(final int id, final String label)
    {
        this.id = id;
        this.label = label;
    }

    @Override
    public int id()
    {
        return id;
    }

    @Override
    public String label()
    {
        return label;
    }

    /**
     * @throws IllegalArgumentException for an unknown id (0 included: it means allowed).
     */
    public static DenialReason get(final int id)
    {
        return IdLabel.get(BY_ID, id, "denial reason id");
    }
}
