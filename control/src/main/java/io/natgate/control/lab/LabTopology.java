package io.natgate.control.lab;

import java.util.List;

/**
 * The lab's names and addresses. Six network namespaces, each name the prefix followed by its role:
 * <pre>
 *  client  10.0.0.2/24 ─┐                                       ┌─ wan: veth-wan ── eth0 203.0.113.2/24  server
 *                       ├─ br0 (lan) ── veth-lan :lan  gw  :wan ┘   (default via 203.0.113.1)
 *  client2 10.0.0.3/24 ─┘   a switch     (natgate: 10.0.0.1, 203.0.113.1; no kernel addresses)
 *                                                     server eth1 198.51.100.1/24 ── eth0 198.51.100.20/24  remote
 *                                                     (forwards; the remote site's default via 198.51.100.1)
 * </pre>
 * The {@code lan} namespace holds only a Linux bridge, the inside network's switch, so the two
 * clients reach each other directly and the gateway's inside port; hairpinning is client to
 * client through the public address. The gateway's two ends have no kernel IP addresses and
 * {@code net.ipv4.ip_forward=0}, so nothing but natgate forwards between them (in
 * {@link Lab.Forwarding#KERNEL_NAT} the same ends get the addresses and the kernel forwards, for
 * comparison). The {@code remote} namespace is a site behind the server, which routes to it: the far end
 * of tunnel tests (a kernel VXLAN device there is the peer of natgate's VXLAN provider), reached by the gateway
 * through the server as its next hop. Interface names are the same in every lab; only namespace names carry
 * the prefix.
 */
public record LabTopology(String prefix)
{
    /** The prefix of {@code natgate lab}'s own lab. */
    public static final String DEFAULT_PREFIX = "ng-";

    public static final String INSIDE_NETWORK = "10.0.0.0/24";
    public static final String GATEWAY_INSIDE_ADDRESS = "10.0.0.1";
    public static final String CLIENT_ADDRESS = "10.0.0.2";
    public static final String CLIENT2_ADDRESS = "10.0.0.3";
    /**
     * A second address of the first client, for labs that spread the clients over a gateway's two workers
     * ({@link Lab#sendFrom}): {@code WorkerSteering.insideWorker} puts it on worker 0 of 2, and both
     * {@value #CLIENT_ADDRESS} and {@value #CLIENT2_ADDRESS} on worker 1.
     */
    public static final String CLIENT_SECOND_ADDRESS = "10.0.0.5";
    public static final String PUBLIC_ADDRESS = "203.0.113.1";
    public static final String SERVER_ADDRESS = "203.0.113.2";
    /** The server's address on the remote site's network, the remote site's router. */
    public static final String SERVER_REMOTE_SIDE_ADDRESS = "198.51.100.1";
    /** The remote site's address, behind the server. */
    public static final String REMOTE_ADDRESS = "198.51.100.20";
    public static final int PREFIX_LENGTH = 24;

    /** The gateway's inside interface, in the gateway namespace. */
    public static final String GATEWAY_INSIDE_INTERFACE = "veth-lan";
    /** The gateway's outside interface, in the gateway namespace. */
    public static final String GATEWAY_OUTSIDE_INTERFACE = "veth-wan";
    /** Each client's and the server's interface, in its own namespace. */
    public static final String HOST_INTERFACE = "eth0";
    /** The server's interface toward the remote site, in the server namespace. */
    public static final String SERVER_REMOTE_INTERFACE = "eth1";
    /** The inside network's switch, in the lan namespace. */
    public static final String BRIDGE = "br0";

    /** Where the gateway's admin endpoint listens, on the gateway namespace's loopback. */
    public static final String ADMIN_ADDRESS = "127.0.0.1:9464";

    /**
     * The lab's namespaces.
     */
    public enum Role
    {
        /** The inside network's switch (a bridge). */
        LAN("lan"),
        /** The first inside client, 10.0.0.2. */
        CLIENT("client"),
        /** The second inside client, 10.0.0.3, for hairpinning and port forwards. */
        CLIENT2("client2"),
        /** The gateway. */
        GATEWAY("gw"),
        /** The public server, 203.0.113.2, and the remote site's router, 198.51.100.1. */
        SERVER("server"),
        /** A remote site behind the server, 198.51.100.20: the peer of tunnel tests. */
        REMOTE("remote");

        private final String suffix;

        Role(final String suffix)
        {
            this.suffix = suffix;
        }

        public String suffix()
        {
            return suffix;
        }
    }

    public LabTopology
    {
        if (!prefix.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,40}"))
        {
            throw new IllegalArgumentException(
                "a lab prefix is 1 to 41 letters, digits, '.', '-' or '_', starting with a letter or digit, not '" + prefix + "'");
        }
    }

    /**
     * @return the lab of {@code natgate lab}: prefix {@value #DEFAULT_PREFIX}.
     */
    public static LabTopology standard()
    {
        return new LabTopology(DEFAULT_PREFIX);
    }

    /**
     * @return a lab whose names no other run uses: the prefix carries this process's id and a tag.
     */
    public static LabTopology unique(final String tag)
    {
        return new LabTopology("ng" + ProcessHandle.current().pid() + tag + "-");
    }

    /**
     * @return the name of a namespace of the lab.
     */
    public String namespace(final Role role)
    {
        return prefix + role.suffix();
    }

    /**
     * @return every namespace of the lab, in the order they are made.
     */
    public List<String> namespaces()
    {
        return java.util.Arrays.stream(Role.values()).map(this::namespace).toList();
    }

    /**
     * @return the bridge port in the lan namespace that leads to a host of the lab.
     */
    static String bridgePort(final Role role)
    {
        return "to-" + role.suffix();
    }
}
