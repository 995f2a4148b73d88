package io.natgate.control.gateway;

import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which sessions a listing or a delete means, as conntrack's filters do: an inside, public or remote endpoint
 * (address, address and port), a protocol, a state. What is not given matches everything.
 *
 * @param protocol 0 for any.
 * @param state    null for any.
 */
public record SessionQuery(Endpoint inside, Endpoint publicEndpoint, Endpoint remote, int protocol, SessionState state)
{
    /** The query parameter names, the same as the CLI's options without their dashes. */
    public static final String INSIDE = "inside";
    public static final String PUBLIC = "public";
    public static final String REMOTE = "remote";
    public static final String PROTO = "proto";
    public static final String STATE = "state";

    public static final SessionQuery ALL = new SessionQuery(null, null, null, 0, null);

    /**
     * An address and maybe a port (0: any port).
     */
    public record Endpoint(int address, int port)
    {
        /**
         * @throws IllegalArgumentException when {@code text} is not {@code A.B.C.D} or {@code A.B.C.D:PORT}.
         */
        public static Endpoint parse(final String text)
        {
            final int colon = text.indexOf(':');
            final int address = Ipv4.parse(colon < 0 ? text : text.substring(0, colon));
            if (colon < 0)
            {
                return new Endpoint(address, 0);
            }
            final int port;
            try
            {
                port = Integer.parseInt(text.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("not a port in '" + text + "'");
            }
            if (port < 1 || port > 65_535)
            {
                throw new IllegalArgumentException("port out of range in '" + text + "'");
            }
            return new Endpoint(address, port);
        }

        boolean matches(final int address, final int port)
        {
            return this.address == address && (this.port == 0 || this.port == port);
        }

        @Override
        public String toString()
        {
            return Ipv4.toString(address) + (port == 0 ? "" : ":" + port);
        }
    }

    /**
     * @param parameters by the names above; unknown names are refused.
     * @throws IllegalArgumentException naming the parameter and value that are wrong.
     */
    public static SessionQuery parse(final Map<String, String> parameters)
    {
        Endpoint inside = null;
        Endpoint publicEndpoint = null;
        Endpoint remote = null;
        int protocol = 0;
        SessionState state = null;
        for (final Map.Entry<String, String> parameter : parameters.entrySet())
        {
            final String value = parameter.getValue();
            try
            {
                switch (parameter.getKey())
                {
                    case INSIDE -> inside = Endpoint.parse(value);
                    case PUBLIC -> publicEndpoint = Endpoint.parse(value);
                    case REMOTE -> remote = Endpoint.parse(value);
                    case PROTO -> protocol = protocol(value);
                    case STATE -> state = SessionState.parse(value);
                    default -> throw new IllegalArgumentException("unknown filter (the filters are inside, public, " +
                        "remote, proto, state)");
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(parameter.getKey() + "=" + value + ": " + ex.getMessage(), ex);
            }
        }
        return new SessionQuery(inside, publicEndpoint, remote, protocol, state);
    }

    private static int protocol(final String name)
    {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT))
        {
            case "tcp", "6" -> Ipv4Protocols.TCP;
            case "udp", "17" -> Ipv4Protocols.UDP;
            case "icmp", "1" -> Ipv4Protocols.ICMP;
            default -> throw new IllegalArgumentException("unknown protocol (tcp, udp or icmp)");
        };
    }

    /**
     * @return true when no filter is given (the whole table).
     */
    public boolean isAll()
    {
        return inside == null && publicEndpoint == null && remote == null && protocol == 0 && state == null;
    }

    public boolean matches(
        final int protocol, final int insideAddress, final int insidePort, final int publicAddress, final int publicPort,
        final int remoteAddress, final int remotePort, final int tcpFlags)
    {
        return (this.protocol == 0 || this.protocol == protocol) &&
            (inside == null || inside.matches(insideAddress, insidePort)) &&
            (publicEndpoint == null || publicEndpoint.matches(publicAddress, publicPort)) &&
            (remote == null || remote.matches(remoteAddress, remotePort)) &&
            (state == null || state == SessionState.of(protocol, tcpFlags));
    }

    /**
     * @return the query parameters that {@link #parse} reads back into this query.
     */
    public Map<String, String> toParameters()
    {
        final Map<String, String> parameters = new LinkedHashMap<>();
        if (inside != null)
        {
            parameters.put(INSIDE, inside.toString());
        }
        if (publicEndpoint != null)
        {
            parameters.put(PUBLIC, publicEndpoint.toString());
        }
        if (remote != null)
        {
            parameters.put(REMOTE, remote.toString());
        }
        if (protocol != 0)
        {
            parameters.put(PROTO, Ipv4Protocols.name(protocol));
        }
        if (state != null)
        {
            parameters.put(STATE, state.label());
        }
        return parameters;
    }
}
