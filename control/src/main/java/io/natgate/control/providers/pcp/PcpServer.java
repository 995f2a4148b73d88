package io.natgate.control.providers.pcp;

import io.natgate.control.config.ProviderConfig;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.Ipv4Protocols;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

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
    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private final ProviderConfig.NatPmpPcp settings;
    private final PortMapper mapper;
    private final PcpMappings mappings;
    private final NatPmpHandler natPmp;
    private final PcpRequest request = new PcpRequest();
    private long epochStartNs;
    private boolean active;
    private long requests;
    private long dropped;

    public PcpServer(final ProviderConfig.NatPmpPcp settings, final PortMapper mapper)
    {
        this.settings = settings;
        this.mapper = mapper;
        this.mappings = new PcpMappings(settings, mapper);
        this.natPmp = new NatPmpHandler(mappings);
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
        return mappings.closeAll();
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
        return mappings.expire(nowNs);
    }

    /**
     * @return the internal endpoints mapped now.
     */
    public int mappingCount()
    {
        return mappings.count();
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
        return PcpResponses.writeNatPmpExternalAddress(buffer, offset,
            active ? PcpResult.SUCCESS : PcpResult.NETWORK_FAILURE, epochSeconds(nowNs), mapper.publicAddresses()[0]);
    }

    /**
     * Writes the PCP announcement: an unsolicited ANNOUNCE response (RFC 6887 section 14.1.3).
     *
     * @return its length.
     */
    public int writePcpAnnouncement(final MutableDirectBuffer buffer, final int offset, final long nowNs)
    {
        PcpResponses.writePcpHeader(buffer, offset, OP_ANNOUNCE, active ? PcpResult.SUCCESS : PcpResult.NETWORK_FAILURE,
            0, epochSeconds(nowNs));
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
            natPmp.onRequest(clientAddress, buffer, offset, length, response, responseOffset, active,
                epochSeconds(nowNs), nowNs) :
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
    // PCP (RFC 6887)
    // ------------------------------------------------------------------------------------------------------------

    private int onPcp(
        final int client, final DirectBuffer buffer, final int offset, final int length,
        final MutableDirectBuffer response, final int at, final long nowNs)
    {
        final PcpRequest request = this.request.reset(buffer, offset, length);
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
        final int client, final PcpRequest request, final MutableDirectBuffer response, final int at, final long nowNs)
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
            final PcpResult deleted = mappings.deleteMaps(internalAddress, protocol, protocol == 0 ? 0 : internalPort,
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
        final long grantedSeconds = mappings.grantedSeconds(requestedSeconds);
        final PcpResult result = mappings.map(internalAddress, protocol, internalPort, request.suggestedPort(),
            request.preferFailure ? suggestedAddress : 0, request.preferFailure, request.filterAddress,
            request.nonce(), grantedSeconds, nowNs);
        if (result != PcpResult.SUCCESS)
        {
            return respond(request, result, response, at, nowNs);
        }
        return respondGranted(request, grantedSeconds, mappings.find(internalAddress, protocol, internalPort), response,
            at, nowNs);
    }

    private int onPeer(
        final int client, final PcpRequest request, final MutableDirectBuffer response, final int at, final long nowNs)
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
        final long grantedSeconds = request.lifetimeSeconds() == 0 ? 0 :
            mappings.grantedSeconds(request.lifetimeSeconds());
        final PcpResult result = mappings.peer(internalAddress, protocol, internalPort, peerAddress, peerPort,
            request.nonce(), grantedSeconds, request.suggestedPort(), nowNs);
        if (result != PcpResult.SUCCESS || grantedSeconds == 0)
        {
            return respond(request, result, response, at, nowNs);
        }
        return respondGranted(request, grantedSeconds, mappings.find(internalAddress, protocol, internalPort), response,
            at, nowNs);
    }

    private int respond(
        final PcpRequest request, final PcpResult result, final MutableDirectBuffer response, final int at,
        final long nowNs)
    {
        return PcpResponses.respond(request, result, response, at, epochSeconds(nowNs));
    }

    private int respondGranted(
        final PcpRequest request, final long grantedSeconds, final PcpMapping mapping,
        final MutableDirectBuffer response, final int at, final long nowNs)
    {
        return PcpResponses.respondGranted(request, grantedSeconds, mapping, response, at, epochSeconds(nowNs));
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
}
