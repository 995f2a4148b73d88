package io.natgate.control.providers.pcp;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static io.natgate.control.providers.pcp.PcpServer.HEADER_LENGTH;
import static io.natgate.control.providers.pcp.PcpServer.NATPMP_OP_EXTERNAL_ADDRESS;
import static io.natgate.control.providers.pcp.PcpServer.NATPMP_VERSION;
import static io.natgate.control.providers.pcp.PcpServer.PCP_VERSION;
import static io.natgate.control.providers.pcp.PcpServer.RESPONSE_BIT;
import static io.natgate.control.providers.pcp.PcpServer.putIpv4Mapped;

/**
 * Writes PCP (RFC 6887 section 7.2) and NAT-PMP (RFC 6886 section 3) responses. Each takes the
 * seconds since the server's epoch started, which every response carries.
 */
final class PcpResponses
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private PcpResponses()
    {
    }

    /**
     * A response with the request's fields copied and no mapping granted: the error responses, ANNOUNCE, and
     * deletions (lifetime 0, public endpoint as suggested).
     *
     * @return its length.
     */
    static int respond(
        final PcpRequest request, final PcpResult result, final MutableDirectBuffer response, final int at,
        final long epochSeconds)
    {
        final int lifetime = result == PcpResult.SUCCESS ? 0 : result.errorLifetimeSeconds();
        writePcpHeader(response, at, request.opcode, result, lifetime, epochSeconds);
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
     *
     * @return its length.
     */
    static int respondGranted(
        final PcpRequest request, final long grantedSeconds, final PcpMapping mapping,
        final MutableDirectBuffer response, final int at, final long epochSeconds)
    {
        writePcpHeader(response, at, request.opcode, PcpResult.SUCCESS, (int)grantedSeconds, epochSeconds);
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

    static void writePcpHeader(
        final MutableDirectBuffer response, final int at, final int opcode, final PcpResult result, final int lifetime,
        final long epochSeconds)
    {
        response.putByte(at, (byte)PCP_VERSION);
        response.putByte(at + 1, (byte)(RESPONSE_BIT | opcode));
        response.putByte(at + 2, (byte)0);
        response.putByte(at + 3, (byte)result.code());
        response.putInt(at + 4, lifetime, NETWORK);
        response.putInt(at + 8, (int)epochSeconds, NETWORK);
        response.setMemory(at + 12, 12, (byte)0);
    }

    /**
     * The NAT-PMP external address response: the address only on success.
     *
     * @return its length.
     */
    static int writeNatPmpExternalAddress(
        final MutableDirectBuffer response, final int at, final PcpResult result, final long epochSeconds,
        final int address)
    {
        writeNatPmpHeader(response, at, NATPMP_OP_EXTERNAL_ADDRESS, result, epochSeconds);
        response.putInt(at + 8, result == PcpResult.SUCCESS ? address : 0, NETWORK);
        return 12;
    }

    static void writeNatPmpHeader(
        final MutableDirectBuffer response, final int at, final int opcode, final PcpResult result,
        final long epochSeconds)
    {
        response.putByte(at, (byte)NATPMP_VERSION);
        response.putByte(at + 1, (byte)(RESPONSE_BIT | opcode));
        response.putShort(at + 2, (short)result.natPmpCode(), NETWORK);
        response.putInt(at + 4, (int)epochSeconds, NETWORK);
    }
}
