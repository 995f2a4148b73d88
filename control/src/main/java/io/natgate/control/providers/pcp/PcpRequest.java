package io.natgate.control.providers.pcp;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static io.natgate.control.providers.pcp.PcpServer.ADDRESS_LENGTH;
import static io.natgate.control.providers.pcp.PcpServer.FILTER_LENGTH;
import static io.natgate.control.providers.pcp.PcpServer.FIRST_OPTIONAL_OPTION;
import static io.natgate.control.providers.pcp.PcpServer.HEADER_LENGTH;
import static io.natgate.control.providers.pcp.PcpServer.MAX_MESSAGE_LENGTH;
import static io.natgate.control.providers.pcp.PcpServer.NONCE_LENGTH;
import static io.natgate.control.providers.pcp.PcpServer.OPTION_FILTER;
import static io.natgate.control.providers.pcp.PcpServer.OPTION_HEADER_LENGTH;
import static io.natgate.control.providers.pcp.PcpServer.OPTION_PREFER_FAILURE;
import static io.natgate.control.providers.pcp.PcpServer.OPTION_THIRD_PARTY;
import static io.natgate.control.providers.pcp.PcpServer.OP_ANNOUNCE;
import static io.natgate.control.providers.pcp.PcpServer.OP_MAP;
import static io.natgate.control.providers.pcp.PcpServer.ipv4Mapped;

/**
 * The PCP request being answered (RFC 6887 section 7.1): a flyweight over its bytes and the options read
 * from it, reset for each request.
 */
final class PcpRequest
{
    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

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

    PcpRequest reset(final DirectBuffer buffer, final int offset, final int length)
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
