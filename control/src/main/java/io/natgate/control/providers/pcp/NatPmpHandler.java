package io.natgate.control.providers.pcp;

import io.natgate.datapath.nat.Ipv4Protocols;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.natgate.control.providers.pcp.PcpServer.NATPMP_OP_EXTERNAL_ADDRESS;
import static io.natgate.control.providers.pcp.PcpServer.NATPMP_OP_MAP_TCP;
import static io.natgate.control.providers.pcp.PcpServer.NATPMP_OP_MAP_UDP;
import static io.natgate.control.providers.pcp.PcpServer.NATPMP_REQUEST_LENGTH;

/**
 * Answers NAT-PMP (RFC 6886, version 0) requests: external address, and MAP UDP/TCP, whose
 * mappings are the same as PCP's for the same internal endpoint (RFC 6887 appendix A).
 */
final class NatPmpHandler
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;
    private static final byte[] NO_NONCE = null;

    private final PcpMappings mappings;

    NatPmpHandler(final PcpMappings mappings)
    {
        this.mappings = mappings;
    }

    /**
     * @param active       whether the server serves mappings now (else NETWORK_FAILURE).
     * @param epochSeconds seconds since the server's epoch started.
     * @return the response's length; 0 for none.
     */
    int onRequest(
        final int client, final DirectBuffer buffer, final int offset, final int length,
        final MutableDirectBuffer response, final int at, final boolean active, final long epochSeconds,
        final long nowNs)
    {
        final int opcode = buffer.getByte(offset + 1) & 0xFF;
        if (opcode == NATPMP_OP_EXTERNAL_ADDRESS)
        {
            return PcpResponses.writeNatPmpExternalAddress(response, at,
                active ? PcpResult.SUCCESS : PcpResult.NETWORK_FAILURE, epochSeconds, mappings.externalAddress(client));
        }
        if (opcode != NATPMP_OP_MAP_UDP && opcode != NATPMP_OP_MAP_TCP)
        {
            PcpResponses.writeNatPmpHeader(response, at, opcode, PcpResult.UNSUPP_OPCODE, epochSeconds);
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
            mappings.deleteMaps(client, protocol, internalPort, NO_NONCE, nowNs);
            result = PcpResult.SUCCESS;
        }
        else if (internalPort == 0)
        {
            result = PcpResult.NOT_AUTHORIZED; // "all ports" is not granted
        }
        else
        {
            grantedSeconds = mappings.grantedSeconds(requestedSeconds);
            result = mappings.map(client, protocol, internalPort, suggestedPort, 0, false, 0, NO_NONCE,
                grantedSeconds, nowNs);
            if (result == PcpResult.SUCCESS)
            {
                externalPort = mappings.find(client, protocol, internalPort).publicPort;
            }
            else
            {
                grantedSeconds = 0;
            }
        }
        PcpResponses.writeNatPmpHeader(response, at, opcode, result, epochSeconds);
        response.putShort(at + 8, (short)internalPort, NETWORK);
        response.putShort(at + 10, (short)externalPort, NETWORK);
        response.putInt(at + 12, (int)grantedSeconds, NETWORK);
        return 16;
    }
}
