package io.natgate.control.ha;

import io.natgate.control.config.ConfigNode;
import io.natgate.control.config.Ipv4Endpoint;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ha:} section: this gateway is one of an active–standby pair whose active replicates its mapping
 * and session events to the standby over Aeron (reliable UDP) on a link of their own.
 *
 * @param priority        1..255: when neither is active, the higher becomes active; when both are, the lower
 *                        stops forwarding. Equal priorities are broken by the higher link endpoint.
 * @param link            this gateway's end of the replication link (a kernel address of the host, not a port's).
 * @param peer            the other gateway's end.
 * @param timeoutNs       how long the peer may be silent before it is taken for dead.
 * @param heartbeatNs     how often each sends a heartbeat.
 * @param aeronDirectory  the Aeron directory (the media driver's files): each gateway its own.
 * @param embeddedDriver  whether the gateway runs its own media driver (else one runs at {@code aeronDirectory}).
 * @param heartbeatLink   this gateway's end of a second path that carries heartbeats only (another link than
 *                        {@code link}), or null: with it, cutting the replication link alone never makes two actives.
 * @param heartbeatPeer   the other gateway's end of that path, or null.
 */
public record HaConfig(
    int priority, Ipv4Endpoint link, Ipv4Endpoint peer, long timeoutNs, long heartbeatNs, Path aeronDirectory,
    boolean embeddedDriver, Ipv4Endpoint heartbeatLink, Ipv4Endpoint heartbeatPeer)
{
    public static final long TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(1000);
    public static final long TIMEOUT_MIN_NS = TimeUnit.MILLISECONDS.toNanos(100);
    public static final long TIMEOUT_MAX_NS = TimeUnit.SECONDS.toNanos(60);
    /** Heartbeats this many times per timeout unless the file says otherwise. */
    public static final int HEARTBEATS_PER_TIMEOUT = 10;
    /** Under the state directory (the journal's) when the file does not say. */
    public static final String AERON_DIRECTORY_DEFAULT = "aeron";

    private static final Set<String> KEYS =
        Set.of("priority", "link", "peer", "timeout", "heartbeat", "aeronDirectory", "mediaDriver", "heartbeatLink",
            "heartbeatPeer");
    private static final Map<String, Boolean> DRIVERS = Map.of("embedded", true, "external", false);

    /**
     * Reads the section, each error naming the file, line, key and value.
     *
     * @param node           the {@code ha:} node, or null when the file has none.
     * @param stateDirectory where the gateway keeps its state (the journal's directory).
     * @return null when the file has no {@code ha:} section.
     */
    public static HaConfig read(final ConfigNode node, final Path stateDirectory)
    {
        if (node == null)
        {
            return null;
        }
        node.keys(KEYS);
        final int priority = node.require("priority").asInt(1, 255);
        final Ipv4Endpoint link = endpoint(node.require("link"));
        final ConfigNode peerNode = node.require("peer");
        final Ipv4Endpoint peer = endpoint(peerNode);
        if (peer.equals(link))
        {
            throw peerNode.error("the peer's end of the link cannot be this gateway's own");
        }
        final ConfigNode timeoutNode = node.get("timeout");
        final long timeoutNs = timeoutNode == null ? TIMEOUT_DEFAULT_NS :
            timeoutNode.asDurationNs(TIMEOUT_MIN_NS, TIMEOUT_MAX_NS);
        final ConfigNode heartbeatNode = node.get("heartbeat");
        final long heartbeatNs = heartbeatNode == null ? timeoutNs / HEARTBEATS_PER_TIMEOUT :
            heartbeatNode.asDurationNs(TimeUnit.MILLISECONDS.toNanos(1), timeoutNs / 3);
        final ConfigNode directoryNode = node.get("aeronDirectory");
        final Path aeronDirectory = directoryNode == null ? stateDirectory.resolve(AERON_DIRECTORY_DEFAULT) :
            stateDirectory.resolve(directoryNode.asText());
        final ConfigNode driverNode = node.get("mediaDriver");
        final boolean embedded = driverNode == null || driverNode.asChoice(DRIVERS);
        final ConfigNode heartbeatLinkNode = node.get("heartbeatLink");
        final ConfigNode heartbeatPeerNode = node.get("heartbeatPeer");
        Ipv4Endpoint heartbeatLink = null;
        Ipv4Endpoint heartbeatPeer = null;
        if (heartbeatLinkNode != null || heartbeatPeerNode != null)
        {
            if (heartbeatLinkNode == null || heartbeatPeerNode == null)
            {
                throw (heartbeatLinkNode == null ? heartbeatPeerNode : heartbeatLinkNode)
                    .error("heartbeatLink and heartbeatPeer go together: the second path's two ends");
            }
            heartbeatLink = endpoint(heartbeatLinkNode);
            heartbeatPeer = endpoint(heartbeatPeerNode);
            if (heartbeatLink.address() == link.address())
            {
                throw heartbeatLinkNode.error("the second path must be another link than ha.link " + link);
            }
            if (heartbeatPeer.address() == peer.address() || heartbeatPeer.equals(heartbeatLink))
            {
                throw heartbeatPeerNode.error("the peer's end of the second path must be its own, not ha.peer " + peer +
                    " nor ha.heartbeatLink");
            }
        }
        return new HaConfig(priority, link, peer, timeoutNs, heartbeatNs, aeronDirectory.toAbsolutePath(), embedded,
            heartbeatLink, heartbeatPeer);
    }

    /**
     * A pair with the replication link as its only path.
     */
    public HaConfig(
        final int priority, final Ipv4Endpoint link, final Ipv4Endpoint peer, final long timeoutNs,
        final long heartbeatNs, final Path aeronDirectory, final boolean embeddedDriver)
    {
        this(priority, link, peer, timeoutNs, heartbeatNs, aeronDirectory, embeddedDriver, null, null);
    }

    /**
     * @return whether heartbeats also go over a second path.
     */
    public boolean hasHeartbeatPath()
    {
        return heartbeatLink != null;
    }

    private static Ipv4Endpoint endpoint(final ConfigNode node)
    {
        try
        {
            return Ipv4Endpoint.parse(node.asText(), 1);
        }
        catch (final IllegalArgumentException ex)
        {
            throw node.error(ex.getMessage());
        }
    }

    /**
     * @return whether this gateway wins against a peer of {@code peerPriority} when both claim (or neither has) the
     * active role.
     */
    public boolean outranks(final int peerPriority)
    {
        return priority != peerPriority ? priority > peerPriority :
            Integer.compareUnsigned(link.address(), peer.address()) != 0 ?
                Integer.compareUnsigned(link.address(), peer.address()) > 0 : link.port() > peer.port();
    }
}
