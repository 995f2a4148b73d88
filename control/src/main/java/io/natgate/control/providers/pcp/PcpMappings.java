package io.natgate.control.providers.pcp;

import io.natgate.control.config.ProviderConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The mappings a PCP/NAT-PMP server granted, by internal endpoint, each kept by its MAP (or NAT-PMP)
 * request and its PEER requests, and each an inbound mapping of the gateway through a
 * {@link PortMapper}: opened or renewed for the longest lifetime its requests need and their remote
 * filter, narrowed when a request goes, closed when none is left. Per-client quota. Single-threaded.
 */
final class PcpMappings
{
    /** The NAT keeps a mapping this much longer than granted, so the server's expiry always comes first. */
    private static final long NAT_GRACE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private final ProviderConfig.NatPmpPcp settings;
    private final PortMapper mapper;
    private final Map<Long, PcpMapping> mappings = new HashMap<>();
    private final Map<Integer, Integer> mappingsByClient = new HashMap<>();

    PcpMappings(final ProviderConfig.NatPmpPcp settings, final PortMapper mapper)
    {
        this.settings = settings;
        this.mapper = mapper;
    }

    /**
     * @return the mapping of an internal endpoint, or null.
     */
    PcpMapping find(final int client, final int protocol, final int internalPort)
    {
        return mappings.get(key(client, protocol, internalPort));
    }

    int count()
    {
        return mappings.size();
    }

    /**
     * Closes every mapping.
     *
     * @return how many were closed.
     */
    int closeAll()
    {
        final int closed = mappings.size();
        for (final PcpMapping mapping : mappings.values())
        {
            closeQuietly(mapping);
        }
        mappings.clear();
        mappingsByClient.clear();
        return closed;
    }

    /**
     * Closes the mappings whose every request has expired, and narrows the others to what is left.
     *
     * @return how many mappings were closed.
     */
    int expire(final long nowNs)
    {
        final int before = mappings.size();
        List<Map.Entry<Long, PcpMapping>> changed = null;
        for (final Map.Entry<Long, PcpMapping> entry : mappings.entrySet())
        {
            final PcpMapping mapping = entry.getValue();
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
            for (final Map.Entry<Long, PcpMapping> entry : changed)
            {
                settle(entry.getKey(), entry.getValue(), nowNs);
            }
        }
        return before - mappings.size();
    }

    /**
     * Grants or renews the MAP (or NAT-PMP) request of an internal endpoint.
     *
     * @param requiredAddress with PREFER_FAILURE, the public address that must be granted (0: any).
     * @param filterAddress   the only remote allowed in, 0 for any.
     * @param nonce           the request's mapping nonce; null for NAT-PMP, which has none.
     */
    PcpResult map(
        final int client, final int protocol, final int internalPort, final int suggestedPort,
        final int requiredAddress, final boolean preferFailure, final int filterAddress, final byte[] nonce,
        final long grantedSeconds, final long nowNs)
    {
        final long key = key(client, protocol, internalPort);
        PcpMapping mapping = mappings.get(key);
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
            mapping = new PcpMapping(protocol, client, internalPort);
        }
        final PcpEntry previous = mapping.map;
        final PcpEntry entry = new PcpEntry(nonce == null && previous != null ? previous.nonce : nonce, 0, 0);
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
    PcpResult deleteMaps(
        final int client, final int protocol, final int internalPort, final byte[] nonce, final long nowNs)
    {
        final List<Long> keys = new ArrayList<>();
        if (internalPort != 0)
        {
            keys.add(key(client, protocol, internalPort));
        }
        else
        {
            for (final PcpMapping mapping : mappings.values())
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
            final PcpMapping mapping = mappings.get(key);
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
     * Grants, renews or (lifetime 0) deletes the PEER request of an internal endpoint toward one remote peer.
     * The outbound rule must allow the peer; a new peer of an unmapped endpoint counts against the quota.
     */
    PcpResult peer(
        final int client, final int protocol, final int internalPort, final int peerAddress, final int peerPort,
        final byte[] nonce, final long grantedSeconds, final int suggestedPort, final long nowNs)
    {
        final long key = key(client, protocol, internalPort);
        PcpMapping mapping = mappings.get(key);
        final PcpEntry existing = mapping == null ? null : mapping.peer(peerAddress, peerPort);
        if (existing != null && !existing.nonceMatches(nonce))
        {
            return PcpResult.NOT_AUTHORIZED;
        }
        if (grantedSeconds == 0)
        {
            if (existing != null)
            {
                mapping.peers.remove(existing);
                settle(key, mapping, nowNs);
            }
            return PcpResult.SUCCESS;
        }
        if (!mapper.outboundAllowed(protocol, client, peerAddress, peerPort))
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
            mapping = new PcpMapping(protocol, client, internalPort);
        }
        final PcpEntry entry = existing != null ? existing : new PcpEntry(nonce, peerAddress, peerPort);
        final long previousExpiresNs = entry.expiresNs;
        entry.expiresNs = nowNs + grantedSeconds * NS_PER_SECOND;
        if (existing == null)
        {
            mapping.peers.add(entry);
        }
        try
        {
            apply(mapping, nowNs, suggestedPort);
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
            return ex.result();
        }
        if (added)
        {
            mappings.put(key, mapping);
            rememberClientMapping(client);
        }
        return PcpResult.SUCCESS;
    }

    /**
     * @return a requested lifetime (not 0) clamped to the configured minimum and maximum, in seconds.
     */
    long grantedSeconds(final long requestedSeconds)
    {
        return Math.max(TimeUnit.NANOSECONDS.toSeconds(settings.minLifetimeNs()),
            Math.min(TimeUnit.NANOSECONDS.toSeconds(settings.maxLifetimeNs()), requestedSeconds));
    }

    /**
     * @return the public address the client's mappings have, else the first of the pool.
     */
    int externalAddress(final int client)
    {
        for (final PcpMapping mapping : mappings.values())
        {
            if (mapping.client == client)
            {
                return mapping.publicAddress;
            }
        }
        return mapper.publicAddresses()[0];
    }

    /**
     * After a request of a mapping was removed: closes the mapping when none is left, else narrows it.
     */
    private void settle(final long key, final PcpMapping mapping, final long nowNs)
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
                apply(mapping, nowNs, mapping.publicPort);
            }
            catch (final PortMapper.Refused ex)
            {
                // keeps the wider filter it had until the rest expires
            }
        }
    }

    /**
     * Opens or renews the gateway's mapping for everything its requests need: the longest lifetime (plus
     * grace, so the server's expiry comes first) and their remote filter.
     */
    private void apply(final PcpMapping mapping, final long nowNs, final int suggestedPort)
    {
        final int filter = mapping.remoteFilter();
        final PortMapper.Grant grant = mapper.open(mapping.protocol, mapping.client, mapping.internalPort,
            mapping.publicPort != 0 ? mapping.publicPort : suggestedPort, filter,
            mapping.latestExpiryNs() - nowNs + NAT_GRACE_NS);
        mapping.publicAddress = grant.publicAddress();
        mapping.publicPort = grant.publicPort();
        mapping.appliedFilter = filter;
    }

    private void closeQuietly(final PcpMapping mapping)
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

    private static long key(final int client, final int protocol, final int internalPort)
    {
        return (client & 0xFFFF_FFFFL) << 24 | (long)protocol << 16 | internalPort;
    }
}
