package io.natgate.control.providers.pcp;

import io.natgate.control.config.ProviderConfig;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PCP (RFC 6887, version 2: ANNOUNCE, MAP, PEER) and NAT-PMP (RFC 6886, version 0) server: turns a
 * request into its response and keeps the mappings it granted, each an inbound mapping of the gateway
 * through a {@link PortMapper}, until they expire ({@link #expire}), are deleted, or the server
 * {@link #deactivate deactivates} (the provider's session ended): then every one is closed and the
 * epoch starts again when it next {@link #activate activates}. Single-threaded: the provider's control thread.
 * <p>
 * Secure mode unless the settings allow THIRD_PARTY: a client maps only its own address, and the address in
 * its request must be the one it sent from. Each mapping is authorized by the firewall's access rules
 * (inbound to the client for MAP, outbound to the peer for PEER); a FILTER option becomes the mapping's
 * remote filter. PCP and NAT-PMP requests for the same internal endpoint refer to the same mapping.
 */
public final class PcpServer
{
    public static final int SERVER_PORT = 5351;
    public static final int CLIENT_PORT = 5350;
    /** Where announcements go (RFC 6886 section 3.2.1, RFC 6887 section 14.1.3). */
    public static final int ALL_HOSTS = Ipv4.parse("224.0.0.1");
    /** The longest PCP message; a response buffer must hold this many bytes. */
    public static final int MAX_MESSAGE_LENGTH = 1100;

    public static final int NATPMP_VERSION = 0;
    public static final int PCP_VERSION = 2;
    public static final int RESPONSE_BIT = 0x80;
    public static final int NATPMP_OP_EXTERNAL_ADDRESS = 0;
    public static final int NATPMP_OP_MAP_UDP = 1;
    public static final int NATPMP_OP_MAP_TCP = 2;
    public static final int NATPMP_REQUEST_LENGTH = 12;
    public static final int OP_ANNOUNCE = 0;
    public static final int OP_MAP = 1;
    public static final int OP_PEER = 2;
    public static final int HEADER_LENGTH = 24;
    public static final int MAP_LENGTH = 36;
    public static final int PEER_LENGTH = 56;
    public static final int NONCE_LENGTH = 12;
    public static final int OPTION_THIRD_PARTY = 1;
    public static final int OPTION_PREFER_FAILURE = 2;
    public static final int OPTION_FILTER = 3;
    public static final int OPTION_HEADER_LENGTH = 4;
    public static final int FILTER_LENGTH = 20;
    public static final int ADDRESS_LENGTH = 16;
    /** Options 0-127 must be understood; 128-255 may be ignored. */
    public static final int FIRST_OPTIONAL_OPTION = 128;
    /** The NAT keeps a mapping this much longer than granted, so the server's expiry always comes first. */
    private static final long NAT_GRACE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final byte[] NO_NONCE = null;

    private final ProviderConfig.NatPmpPcp settings;
    private final PortMapper mapper;
    private final Map<Long, Mapping> mappings = new HashMap<>();
    private final Map<Integer, Integer> mappingsByClient = new HashMap<>();
    private final Request request = new Request();
    private long epochStartNs;
    private boolean active;
    private long requests;
    private long dropped;

    public PcpServer(final ProviderConfig.NatPmpPcp settings, final PortMapper mapper)
    {
        this.settings = settings;
        this.mapper = mapper;
    }

    // ------------------------------------------------------------------------------------------------------------
    // State
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Starts serving mappings with a new epoch (RFC 6887 section 8.5: clients learn from the epoch that the
     * server lost its state). Until then, and after {@link #deactivate}, requests get NETWORK_FAILURE.
     */
    public void activate(final long nowNs)
    {
        epochStartNs = nowNs;
        active = true;
    }

    /**
     * Stops serving and closes every mapping granted.
     *
     * @return how many were closed.
     */
    public int deactivate()
    {
        active = false;
        final int closed = mappings.size();
        for (final Mapping mapping : mappings.values())
        {
            closeQuietly(mapping);
        }
        mappings.clear();
        mappingsByClient.clear();
        return closed;
    }

    public boolean isActive()
    {
        return active;
    }

    /**
     * Closes the mappings whose every request has expired, and narrows the others to what is left.
     *
     * @return how many mappings were closed.
     */
    public int expire(final long nowNs)
    {
        final int before = mappings.size();
        List<Map.Entry<Long, Mapping>> changed = null;
        for (final Map.Entry<Long, Mapping> entry : mappings.entrySet())
        {
            final Mapping mapping = entry.getValue();
            final boolean mapExpired = mapping.map != null && mapping.map.expiresNs - nowNs <= 0;
            if (mapExpired)
            {
                mapping.map = null;
            }
            if (mapping.peers.removeIf(peer -> peer.expiresNs - nowNs <= 0) || mapExpired)
            {
                (changed == null ? changed = new ArrayList<>() : changed).add(entry);
            }
        }
        if (changed != null)
        {
            for (final Map.Entry<Long, Mapping> entry : changed)
            {
                settle(entry.getKey(), entry.getValue(), nowNs);
            }
        }
        return before - mappings.size();
    }

    /**
     * @return the internal endpoints mapped now.
     */
    public int mappingCount()
    {
        return mappings.size();
    }

    /**
     * @return requests answered, and requests dropped without an answer (too short, or a response).
     */
    public long requests()
    {
        return requests;
    }

    public long dropped()
    {
        return dropped;
    }

    /**
     * @return seconds since the epoch started (RFC 6886 "seconds since start of epoch").
     */
    public long epochSeconds(final long nowNs)
    {
        return active ? Math.max(0, (nowNs - epochStartNs) / NS_PER_SECOND) : 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Announcements
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Writes the NAT-PMP announcement: an external address response multicast to {@link #ALL_HOSTS}
     * port {@link #CLIENT_PORT} (RFC 6886 section 3.2.1).
     *
     * @return its length.
     */
    public int writeNatPmpAnnouncement(final MutableDirectBuffer buffer, final int offset, final long nowNs)
    {
        return writeNatPmpExternalAddress(buffer, offset, active ? PcpResult.SUCCESS : PcpResult.NETWORK_FAILURE,
            nowNs);
    }

    /**
     * Writes the PCP announcement: an unsolicited ANNOUNCE response (RFC 6887 section 14.1.3).
     *
     * @return its length.
     */
    public int writePcpAnnouncement(final MutableDirectBuffer buffer, final int offset, final long nowNs)
    {
        writePcpHeader(buffer, offset, OP_ANNOUNCE, active ? PcpResult.SUCCESS : PcpResult.NETWORK_FAILURE, 0, nowNs);
        return HEADER_LENGTH;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Requests
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Answers a request a client sent to the server.
     *
     * @param clientAddress the request's source address.
     * @param response      where the response goes, {@link #MAX_MESSAGE_LENGTH} bytes from {@code responseOffset}.
     * @return the response's length; 0 for none (the request is dropped silently).
     */
    public int onRequest(
        final int clientAddress, final DirectBuffer buffer, final int offset, final int length,
        final MutableDirectBuffer response, final int responseOffset, final long nowNs)
    {
        if (length < 2 || (buffer.getByte(offset + 1) & RESPONSE_BIT) != 0)
        {
            dropped++;
            return 0;
        }
        final int version = buffer.getByte(offset) & 0xFF;
        final int responseLength = version == NATPMP_VERSION ?
            onNatPmp(clientAddress, buffer, offset, length, response, responseOffset, nowNs) :
            onPcp(clientAddress, buffer, offset, length, response, responseOffset, nowNs);
        if (responseLength == 0)
        {
            dropped++;
        }
        else
        {
            requests++;
        }
        return responseLength;
    }

    // ------------------------------------------------------------------------------------------------------------
    // NAT-PMP (RFC 6886)
    // ------------------------------------------------------------------------------------------------------------

    private int onNatPmp(
        final int client, final DirectBuffer buffer, final int offset, final int length,
        final MutableDirectBuffer response, final int at, final long nowNs)
    {
        final int opcode = buffer.getByte(offset + 1) & 0xFF;
        if (opcode == NATPMP_OP_EXTERNAL_ADDRESS)
        {
            return writeNatPmpExternalAddress(response, at, active ? PcpResult.SUCCESS : PcpResult.NETWORK_FAILURE,
                nowNs, externalAddress(client));
        }
        if (opcode != NATPMP_OP_MAP_UDP && opcode != NATPMP_OP_MAP_TCP)
        {
            writeNatPmpHeader(response, at, opcode, PcpResult.UNSUPP_OPCODE, nowNs);
            return 8;
        }
        if (length < NATPMP_REQUEST_LENGTH)
        {
            return 0; // no internal port to answer for
        }
        final int protocol = opcode == NATPMP_OP_MAP_UDP ? Ipv4Protocols.UDP : Ipv4Protocols.TCP;
        final int internalPort = buffer.getShort(offset + 4, NETWORK) & 0xFFFF;
        final int suggestedPort = buffer.getShort(offset + 6, NETWORK) & 0xFFFF;
        final long requestedSeconds = buffer.getInt(offset + 8, NETWORK) & 0xFFFF_FFFFL;

        PcpResult result;
        int externalPort = 0;
        long grantedSeconds = 0;
        if (!active)
        {
            result = PcpResult.NETWORK_FAILURE;
        }
        else if (requestedSeconds == 0)
        {
            // delete; internal port 0 deletes all of the client's mappings of the protocol
            deleteMaps(client, protocol, internalPort, NO_NONCE, nowNs);
            result = PcpResult.SUCCESS;
        }
        else if (internalPort == 0)
        {
            result = PcpResult.NOT_AUTHORIZED; // "all ports" is not granted
        }
        else
        {
            grantedSeconds = clampSeconds(requestedSeconds);
            result = map(client, protocol, internalPort, suggestedPort, 0, false, 0, NO_NONCE, grantedSeconds, nowNs);
            if (result == PcpResult.SUCCESS)
            {
                externalPort = mappings.get(key(client, protocol, internalPort)).publicPort;
            }
            else
            {
                grantedSeconds = 0;
            }
        }
        writeNatPmpHeader(response, at, opcode, result, nowNs);
        response.putShort(at + 8, (short)internalPort, NETWORK);
        response.putShort(at + 10, (short)externalPort, NETWORK);
        response.putInt(at + 12, (int)grantedSeconds, NETWORK);
        return 16;
    }

    private int writeNatPmpExternalAddress(
        final MutableDirectBuffer response, final int at, final PcpResult result, final long nowNs)
    {
        return writeNatPmpExternalAddress(response, at, result, nowNs, mapper.publicAddresses()[0]);
    }

    private int writeNatPmpExternalAddress(
        final MutableDirectBuffer response, final int at, final PcpResult result, final long nowNs, final int address)
    {
        writeNatPmpHeader(response, at, NATPMP_OP_EXTERNAL_ADDRESS, result, nowNs);
        response.putInt(at + 8, result == PcpResult.SUCCESS ? address : 0, NETWORK);
        return 12;
    }

    private void writeNatPmpHeader(
        final MutableDirectBuffer response, final int at, final int opcode, final PcpResult result, final long nowNs)
    {
        response.putByte(at, (byte)NATPMP_VERSION);
        response.putByte(at + 1, (byte)(RESPONSE_BIT | opcode));
        response.putShort(at + 2, (short)result.natPmpCode(), NETWORK);
        response.putInt(at + 4, (int)epochSeconds(nowNs), NETWORK);
    }

    // ------------------------------------------------------------------------------------------------------------
    // PCP (RFC 6887)
    // ------------------------------------------------------------------------------------------------------------

    private int onPcp(
        final int client, final DirectBuffer buffer, final int offset, final int length,
        final MutableDirectBuffer response, final int at, final long nowNs)
    {
        final Request request = this.request.reset(buffer, offset, length);
        final int version = buffer.getByte(offset) & 0xFF;
        if (version != PCP_VERSION)
        {
            return respond(request, PcpResult.UNSUPP_VERSION, response, at, nowNs);
        }
        if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH || (length & 3) != 0)
        {
            return respond(request, PcpResult.MALFORMED_REQUEST, response, at, nowNs);
        }
        final int opcodeLength = switch (request.opcode)
        {
            case OP_ANNOUNCE -> 0;
            case OP_MAP -> MAP_LENGTH;
            case OP_PEER -> PEER_LENGTH;
            default -> -1;
        };
        if (opcodeLength < 0)
        {
            return respond(request, PcpResult.UNSUPP_OPCODE, response, at, nowNs);
        }
        if (length < HEADER_LENGTH + opcodeLength)
        {
            return respond(request, PcpResult.MALFORMED_REQUEST, response, at, nowNs);
        }
        request.opcodeLength = opcodeLength;
        if (ipv4Mapped(buffer, offset + 8) != client)
        {
            return respond(request, PcpResult.ADDRESS_MISMATCH, response, at, nowNs);
        }
        final PcpResult optionsResult = request.readOptions();
        if (optionsResult != PcpResult.SUCCESS)
        {
            return respond(request, optionsResult, response, at, nowNs);
        }
        if (!active)
        {
            return respond(request, PcpResult.NETWORK_FAILURE, response, at, nowNs);
        }
        return switch (request.opcode)
        {
            case OP_ANNOUNCE -> respond(request, PcpResult.SUCCESS, response, at, nowNs);
            case OP_MAP -> onMap(client, request, response, at, nowNs);
            default -> onPeer(client, request, response, at, nowNs);
        };
    }

    private int onMap(
        final int client, final Request request, final MutableDirectBuffer response, final int at, final long nowNs)
    {
        final int protocol = request.protocol();
        final int internalPort = request.internalPort();
        final long requestedSeconds = request.lifetimeSeconds();
        if (request.thirdParty && !settings.thirdParty())
        {
            return respond(request, PcpResult.NOT_AUTHORIZED, response, at, nowNs);
        }
        final int internalAddress = request.thirdParty ? request.thirdPartyAddress : client;
        if (requestedSeconds == 0)
        {
            if (protocol != 0 && protocol != Ipv4Protocols.TCP && protocol != Ipv4Protocols.UDP)
            {
                return respond(request, PcpResult.UNSUPP_PROTOCOL, response, at, nowNs);
            }
            final PcpResult deleted = deleteMaps(internalAddress, protocol, protocol == 0 ? 0 : internalPort,
                request.nonce(), nowNs);
            return respond(request, deleted, response, at, nowNs);
        }
        if (protocol != Ipv4Protocols.TCP && protocol != Ipv4Protocols.UDP)
        {
            return respond(request, PcpResult.UNSUPP_PROTOCOL, response, at, nowNs);
        }
        if (internalPort == 0)
        {
            return respond(request, PcpResult.NOT_AUTHORIZED, response, at, nowNs); // "all ports" is not granted
        }
        final int suggestedAddress = request.suggestedAddress();
        if (request.preferFailure && suggestedAddress != 0 &&
            (suggestedAddress == -1 || !isPublicAddress(suggestedAddress)))
        {
            return respond(request, PcpResult.CANNOT_PROVIDE_EXTERNAL, response, at, nowNs);
        }
        final long grantedSeconds = clampSeconds(requestedSeconds);
        final PcpResult result = map(internalAddress, protocol, internalPort, request.suggestedPort(),
            request.preferFailure ? suggestedAddress : 0, request.preferFailure, request.filterAddress,
            request.nonce(), grantedSeconds, nowNs);
        if (result != PcpResult.SUCCESS)
        {
            return respond(request, result, response, at, nowNs);
        }
        final Mapping mapping = mappings.get(key(internalAddress, protocol, internalPort));
        return respondGranted(request, grantedSeconds, mapping, response, at, nowNs);
    }

    private int onPeer(
        final int client, final Request request, final MutableDirectBuffer response, final int at, final long nowNs)
    {
        final int protocol = request.protocol();
        final int internalPort = request.internalPort();
        final int peerAddress = ipv4Mapped(request.buffer, request.opcodeOffset() + 40);
        final int peerPort = request.buffer.getShort(request.opcodeOffset() + 36, NETWORK) & 0xFFFF;
        if (request.thirdParty && !settings.thirdParty())
        {
            return respond(request, PcpResult.NOT_AUTHORIZED, response, at, nowNs);
        }
        if (protocol != Ipv4Protocols.TCP && protocol != Ipv4Protocols.UDP)
        {
            return respond(request, PcpResult.UNSUPP_PROTOCOL, response, at, nowNs);
        }
        if (internalPort == 0 || peerPort == 0 || peerAddress == 0 || peerAddress == -1)
        {
            return respond(request, PcpResult.MALFORMED_REQUEST, response, at, nowNs);
        }
        final int internalAddress = request.thirdParty ? request.thirdPartyAddress : client;
        final long key = key(internalAddress, protocol, internalPort);
        Mapping mapping = mappings.get(key);
        final Entry existing = mapping == null ? null : mapping.peer(peerAddress, peerPort);
        if (existing != null && !existing.nonceMatches(request.nonce()))
        {
            return respond(request, PcpResult.NOT_AUTHORIZED, response, at, nowNs);
        }
        if (request.lifetimeSeconds() == 0)
        {
            if (existing != null)
            {
                mapping.peers.remove(existing);
                settle(key, mapping, nowNs);
            }
            return respond(request, PcpResult.SUCCESS, response, at, nowNs);
        }
        if (!mapper.outboundAllowed(protocol, internalAddress, peerAddress, peerPort))
        {
            return respond(request, PcpResult.NOT_AUTHORIZED, response, at, nowNs);
        }
        final long grantedSeconds = clampSeconds(request.lifetimeSeconds());
        final boolean added = mapping == null;
        if (added && atQuota(internalAddress))
        {
            return respond(request, PcpResult.USER_EX_QUOTA, response, at, nowNs);
        }
        if (added)
        {
            mapping = new Mapping(protocol, internalAddress, internalPort);
        }
        final Entry entry = existing != null ? existing : new Entry(request.nonce(), peerAddress, peerPort);
        final long previousExpiresNs = entry.expiresNs;
        entry.expiresNs = nowNs + grantedSeconds * NS_PER_SECOND;
        if (existing == null)
        {
            mapping.peers.add(entry);
        }
        try
        {
            apply(mapping, nowNs, request.suggestedPort());
        }
        catch (final PortMapper.Refused ex)
        {
            if (existing == null)
            {
                mapping.peers.remove(entry);
            }
            else
            {
                entry.expiresNs = previousExpiresNs;
            }
            return respond(request, ex.result(), response, at, nowNs);
        }
        if (added)
        {
            mappings.put(key, mapping);
            rememberClientMapping(internalAddress);
        }
        return respondGranted(request, grantedSeconds, mapping, response, at, nowNs);
    }

    /**
     * Grants or renews the MAP (or NAT-PMP) request of an internal endpoint.
     *
     * @param requiredAddress with PREFER_FAILURE, the public address that must be granted (0: any).
     * @param filterAddress   the only remote allowed in, 0 for any.
     * @param nonce           the request's mapping nonce; null for NAT-PMP, which has none.
     */
    private PcpResult map(
        final int client, final int protocol, final int internalPort, final int suggestedPort,
        final int requiredAddress, final boolean preferFailure, final int filterAddress, final byte[] nonce,
        final long grantedSeconds, final long nowNs)
    {
        final long key = key(client, protocol, internalPort);
        Mapping mapping = mappings.get(key);
        if (mapping != null && mapping.map != null && !mapping.map.nonceMatches(nonce))
        {
            return PcpResult.NOT_AUTHORIZED;
        }
        if (mapping != null && preferFailure && (suggestedPort != 0 && suggestedPort != mapping.publicPort ||
            requiredAddress != 0 && requiredAddress != mapping.publicAddress))
        {
            return PcpResult.CANNOT_PROVIDE_EXTERNAL; // an existing mapping keeps its public endpoint
        }
        if (!mapper.inboundAllowed(protocol, client, internalPort, filterAddress))
        {
            return PcpResult.NOT_AUTHORIZED;
        }
        final boolean added = mapping == null;
        if (added && atQuota(client))
        {
            return PcpResult.USER_EX_QUOTA;
        }
        if (added)
        {
            mapping = new Mapping(protocol, client, internalPort);
        }
        final Entry previous = mapping.map;
        final Entry entry = new Entry(nonce == null && previous != null ? previous.nonce : nonce, 0, 0);
        entry.filterAddress = filterAddress;
        entry.expiresNs = nowNs + grantedSeconds * NS_PER_SECOND;
        mapping.map = entry;
        try
        {
            apply(mapping, nowNs, suggestedPort);
        }
        catch (final PortMapper.Refused ex)
        {
            mapping.map = previous;
            return ex.result();
        }
        if (preferFailure && (suggestedPort != 0 && mapping.publicPort != suggestedPort ||
            requiredAddress != 0 && mapping.publicAddress != requiredAddress))
        {
            mapping.map = previous;
            if (added)
            {
                closeQuietly(mapping);
            }
            return PcpResult.CANNOT_PROVIDE_EXTERNAL;
        }
        if (added)
        {
            mappings.put(key, mapping);
            rememberClientMapping(client);
        }
        return PcpResult.SUCCESS;
    }

    /**
     * Deletes the MAP (and NAT-PMP) requests of one internal endpoint, or with port 0 all of a client's for
     * the protocol (protocol 0: every protocol). A nonce must match a PCP-made request's; deleting what does not
     * exist succeeds.
     */
    private PcpResult deleteMaps(
        final int client, final int protocol, final int internalPort, final byte[] nonce, final long nowNs)
    {
        final List<Long> keys = new ArrayList<>();
        if (internalPort != 0)
        {
            keys.add(key(client, protocol, internalPort));
        }
        else
        {
            for (final Mapping mapping : mappings.values())
            {
                if (mapping.client == client && (protocol == 0 || mapping.protocol == protocol))
                {
                    keys.add(key(mapping.client, mapping.protocol, mapping.internalPort));
                }
            }
        }
        PcpResult result = PcpResult.SUCCESS;
        for (final long key : keys)
        {
            final Mapping mapping = mappings.get(key);
            if (mapping == null || mapping.map == null)
            {
                continue;
            }
            if (nonce != null && !mapping.map.nonceMatches(nonce))
            {
                result = PcpResult.NOT_AUTHORIZED;
                continue;
            }
            mapping.map = null;
            settle(key, mapping, nowNs);
        }
        return result;
    }

    /**
     * After a request of a mapping was removed: closes the mapping when none is left, else narrows it.
     */
    private void settle(final long key, final Mapping mapping, final long nowNs)
    {
        if (mapping.isEmpty())
        {
            mappings.remove(key);
            forgetClientMapping(mapping.client);
            closeQuietly(mapping);
        }
        else if (mapping.remoteFilter() != mapping.appliedFilter)
        {
            try
            {
                apply(mapping, nowNs);
            }
            catch (final PortMapper.Refused ex)
            {
                // keeps the wider filter it had until the rest expires
            }
        }
    }

    private void apply(final Mapping mapping, final long nowNs)
    {
        apply(mapping, nowNs, mapping.publicPort);
    }

    /**
     * Opens or renews the gateway's mapping for everything its requests need: the longest lifetime (plus
     * grace, so the server's expiry comes first) and their remote filter.
     */
    private void apply(final Mapping mapping, final long nowNs, final int suggestedPort)
    {
        final int filter = mapping.remoteFilter();
        final PortMapper.Grant grant = mapper.open(mapping.protocol, mapping.client, mapping.internalPort,
            mapping.publicPort != 0 ? mapping.publicPort : suggestedPort, filter,
            mapping.latestExpiryNs() - nowNs + NAT_GRACE_NS);
        mapping.publicAddress = grant.publicAddress();
        mapping.publicPort = grant.publicPort();
        mapping.appliedFilter = filter;
    }

    private void closeQuietly(final Mapping mapping)
    {
        try
        {
            mapper.close(mapping.protocol, mapping.client, mapping.internalPort);
        }
        catch (final RuntimeException ex)
        {
            // gone already, or the datapath stopping: nothing is left to close
        }
    }

    /**
     * @return a requested lifetime (not 0) clamped to the configured minimum and maximum, in seconds.
     */
    private long clampSeconds(final long requestedSeconds)
    {
        return Math.max(TimeUnit.NANOSECONDS.toSeconds(settings.minLifetimeNs()),
            Math.min(TimeUnit.NANOSECONDS.toSeconds(settings.maxLifetimeNs()), requestedSeconds));
    }

    private boolean atQuota(final int client)
    {
        return mappingsByClient.getOrDefault(client, 0) >= settings.mappingsPerClient();
    }

    private void rememberClientMapping(final int client)
    {
        mappingsByClient.merge(client, 1, Integer::sum);
    }

    private void forgetClientMapping(final int client)
    {
        mappingsByClient.computeIfPresent(client, (address, count) -> count == 1 ? null : count - 1);
    }

    private boolean isPublicAddress(final int address)
    {
        for (final int publicAddress : mapper.publicAddresses())
        {
            if (publicAddress == address)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the public address the client's mappings have, else the first of the pool.
     */
    private int externalAddress(final int client)
    {
        for (final Mapping mapping : mappings.values())
        {
            if (mapping.client == client)
            {
                return mapping.publicAddress;
            }
        }
        return mapper.publicAddresses()[0];
    }

    // ------------------------------------------------------------------------------------------------------------
    // PCP responses
    // ------------------------------------------------------------------------------------------------------------

    /**
     * A response with the request's fields copied and no mapping granted: the error responses, ANNOUNCE, and
     * deletions (lifetime 0, public endpoint as suggested).
     */
    private int respond(
        final Request request, final PcpResult result, final MutableDirectBuffer response, final int at,
        final long nowNs)
    {
        final int lifetime = result == PcpResult.SUCCESS ? 0 : result.errorLifetimeSeconds();
        writePcpHeader(response, at, request.opcode, result, lifetime, nowNs);
        if (result == PcpResult.UNSUPP_VERSION)
        {
            response.putByte(at, (byte)PCP_VERSION); // the version this server speaks
        }
        final int copied = Math.min(request.opcodeLength, Math.max(0, request.length - HEADER_LENGTH));
        if (copied > 0)
        {
            response.putBytes(at + HEADER_LENGTH, request.buffer, request.opcodeOffset(), copied);
        }
        return HEADER_LENGTH + copied;
    }

    /**
     * A MAP or PEER success: the request's fields with the public endpoint and lifetime granted, and the options
     * the server applied.
     */
    private int respondGranted(
        final Request request, final long grantedSeconds, final Mapping mapping, final MutableDirectBuffer response,
        final int at, final long nowNs)
    {
        writePcpHeader(response, at, request.opcode, PcpResult.SUCCESS, (int)grantedSeconds, nowNs);
        final int data = at + HEADER_LENGTH;
        response.putBytes(data, request.buffer, request.opcodeOffset(), request.opcodeLength);
        response.putByte(data + 13, (byte)0);
        response.putShort(data + 14, (short)0);
        response.putShort(data + 18, (short)mapping.publicPort, NETWORK);
        putIpv4Mapped(response, data + 20, mapping.publicAddress);
        int position = data + request.opcodeLength;
        for (int i = 0; i < request.appliedOptions; i++)
        {
            response.putBytes(position, request.buffer, request.appliedOptionOffsets[i], request.appliedOptionLengths[i]);
            position += request.appliedOptionLengths[i];
        }
        return position - at;
    }

    private void writePcpHeader(
        final MutableDirectBuffer response, final int at, final int opcode, final PcpResult result, final int lifetime,
        final long nowNs)
    {
        response.putByte(at, (byte)PCP_VERSION);
        response.putByte(at + 1, (byte)(RESPONSE_BIT | opcode));
        response.putByte(at + 2, (byte)0);
        response.putByte(at + 3, (byte)result.code());
        response.putInt(at + 4, lifetime, NETWORK);
        response.putInt(at + 8, (int)epochSeconds(nowNs), NETWORK);
        response.setMemory(at + 12, 12, (byte)0);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    private static long key(final int client, final int protocol, final int internalPort)
    {
        return (client & 0xFFFF_FFFFL) << 24 | (long)protocol << 16 | internalPort;
    }

    /**
     * @return the IPv4 address of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}); 0 for {@code ::} and
     * {@code ::ffff:0.0.0.0}; -1 for any other IPv6 address (never an IPv4 address PCP can mean here).
     */
    public static int ipv4Mapped(final DirectBuffer buffer, final int offset)
    {
        final long high = buffer.getLong(offset, NETWORK);
        final int middle = buffer.getInt(offset + 8, NETWORK);
        final int address = buffer.getInt(offset + 12, NETWORK);
        if (high == 0 && (middle == 0xFFFF || middle == 0 && address == 0))
        {
            return address;
        }
        return -1;
    }

    public static void putIpv4Mapped(final MutableDirectBuffer buffer, final int offset, final int address)
    {
        buffer.putLong(offset, 0L);
        buffer.putInt(offset + 8, 0xFFFF, NETWORK);
        buffer.putInt(offset + 12, address, NETWORK);
    }

    /**
     * The PCP request being answered: a view over its bytes and the options read from it.
     */
    private static final class Request
    {
        DirectBuffer buffer;
        int offset;
        int length;
        int opcode;
        int opcodeLength;
        boolean thirdParty;
        int thirdPartyAddress;
        boolean preferFailure;
        int filterAddress;
        /** The options applied, echoed in a success response (RFC 6887 section 7.3). */
        final int[] appliedOptionOffsets = new int[MAX_MESSAGE_LENGTH / OPTION_HEADER_LENGTH];
        final int[] appliedOptionLengths = new int[MAX_MESSAGE_LENGTH / OPTION_HEADER_LENGTH];
        int appliedOptions;

        Request reset(final DirectBuffer buffer, final int offset, final int length)
        {
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
            opcode = buffer.getByte(offset + 1) & 0x7F;
            opcodeLength = 0;
            thirdParty = false;
            thirdPartyAddress = 0;
            preferFailure = false;
            filterAddress = 0;
            appliedOptions = 0;
            return this;
        }

        int opcodeOffset()
        {
            return offset + HEADER_LENGTH;
        }

        long lifetimeSeconds()
        {
            return buffer.getInt(offset + 4, NETWORK) & 0xFFFF_FFFFL;
        }

        byte[] nonce()
        {
            final byte[] nonce = new byte[NONCE_LENGTH];
            buffer.getBytes(opcodeOffset(), nonce);
            return nonce;
        }

        int protocol()
        {
            return buffer.getByte(opcodeOffset() + 12) & 0xFF;
        }

        int internalPort()
        {
            return buffer.getShort(opcodeOffset() + 16, NETWORK) & 0xFFFF;
        }

        int suggestedPort()
        {
            return buffer.getShort(opcodeOffset() + 18, NETWORK) & 0xFFFF;
        }

        int suggestedAddress()
        {
            return ipv4Mapped(buffer, opcodeOffset() + 20);
        }

        /**
         * Reads the options after the opcode's fields (RFC 6887 section 7.3): THIRD_PARTY (MAP, PEER, once),
         * PREFER_FAILURE (MAP, once) and FILTER (MAP, one remote here: the NAT filters on one address).
         */
        PcpResult readOptions()
        {
            int position = opcodeOffset() + opcodeLength;
            final int end = offset + length;
            int filters = 0;
            boolean filterCleared = false;
            while (position < end)
            {
                if (end - position < OPTION_HEADER_LENGTH)
                {
                    return PcpResult.MALFORMED_OPTION;
                }
                final int code = buffer.getByte(position) & 0xFF;
                final int dataLength = buffer.getShort(position + 2, NETWORK) & 0xFFFF;
                final int data = position + OPTION_HEADER_LENGTH;
                final int padded = (dataLength + 3) & ~3;
                if (padded > end - data)
                {
                    return PcpResult.MALFORMED_OPTION;
                }
                switch (code)
                {
                    case OPTION_THIRD_PARTY ->
                    {
                        if (opcode == OP_ANNOUNCE || dataLength != ADDRESS_LENGTH || thirdParty)
                        {
                            return PcpResult.MALFORMED_OPTION;
                        }
                        thirdPartyAddress = ipv4Mapped(buffer, data);
                        if (thirdPartyAddress == 0 || thirdPartyAddress == -1)
                        {
                            return PcpResult.MALFORMED_OPTION;
                        }
                        thirdParty = true;
                    }
                    case OPTION_PREFER_FAILURE ->
                    {
                        if (opcode != OP_MAP || dataLength != 0 || preferFailure)
                        {
                            return PcpResult.MALFORMED_OPTION;
                        }
                        preferFailure = true;
                    }
                    case OPTION_FILTER ->
                    {
                        if (opcode != OP_MAP || dataLength != FILTER_LENGTH)
                        {
                            return PcpResult.MALFORMED_OPTION;
                        }
                        final int prefixLength = buffer.getByte(data + 1) & 0xFF;
                        final int remotePort = buffer.getShort(data + 2, NETWORK) & 0xFFFF;
                        final int remote = ipv4Mapped(buffer, data + 4);
                        if (prefixLength > 128 || remote == -1)
                        {
                            return PcpResult.MALFORMED_OPTION;
                        }
                        if (prefixLength == 0)
                        {
                            filterCleared = true; // remove all filters: any remote
                        }
                        else if (prefixLength != 128 || remotePort != 0 || remote == 0 ||
                            filters > 0 && remote != filterAddress)
                        {
                            return PcpResult.EXCESSIVE_REMOTE_PEERS; // the NAT filters on one whole address
                        }
                        else
                        {
                            filterAddress = remote;
                            filters++;
                        }
                    }
                    default ->
                    {
                        if (code < FIRST_OPTIONAL_OPTION)
                        {
                            return PcpResult.UNSUPP_OPTION;
                        }
                        position = data + padded;
                        continue; // not understood, not applied, not echoed
                    }
                }
                appliedOptionOffsets[appliedOptions] = position;
                appliedOptionLengths[appliedOptions++] = OPTION_HEADER_LENGTH + padded;
                position = data + padded;
            }
            if (filterCleared)
            {
                filterAddress = 0;
            }
            return PcpResult.SUCCESS;
        }
    }

    /**
     * A request that keeps a mapping: the MAP (or NAT-PMP) request, or one PEER request per remote peer.
     */
    private static final class Entry
    {
        final byte[] nonce;
        final int peerAddress;
        final int peerPort;
        int filterAddress;
        long expiresNs;

        Entry(final byte[] nonce, final int peerAddress, final int peerPort)
        {
            this.nonce = nonce;
            this.peerAddress = peerAddress;
            this.peerPort = peerPort;
        }

        /**
         * @return whether a request with this nonce may change the entry: the same nonce, or NAT-PMP on
         * either side (it has no nonce; RFC 6887 appendix A lets both protocols manage one mapping).
         */
        boolean nonceMatches(final byte[] other)
        {
            return nonce == null || other == null || Arrays.equals(nonce, other);
        }
    }

    /**
     * The gateway's mapping of one internal endpoint and the requests keeping it.
     */
    private static final class Mapping
    {
        final int protocol;
        final int client;
        final int internalPort;
        final List<Entry> peers = new ArrayList<>(1);
        Entry map;
        int publicAddress;
        int publicPort;
        int appliedFilter;

        Mapping(final int protocol, final int client, final int internalPort)
        {
            this.protocol = protocol;
            this.client = client;
            this.internalPort = internalPort;
        }

        boolean isEmpty()
        {
            return map == null && peers.isEmpty();
        }

        /**
         * @return who may send in: the MAP request's filter (0: anyone); with only PEER requests, the first peer.
         */
        int remoteFilter()
        {
            return map != null ? map.filterAddress : peers.isEmpty() ? 0 : peers.getFirst().peerAddress;
        }

        long latestExpiryNs()
        {
            long latest = map == null ? Long.MIN_VALUE : map.expiresNs;
            for (final Entry peer : peers)
            {
                latest = latest == Long.MIN_VALUE || peer.expiresNs - latest > 0 ? peer.expiresNs : latest;
            }
            return latest;
        }

        Entry peer(final int address, final int port)
        {
            for (final Entry peer : peers)
            {
                if (peer.peerAddress == address && peer.peerPort == port)
                {
                    return peer;
                }
            }
            return null;
        }
    }
}
