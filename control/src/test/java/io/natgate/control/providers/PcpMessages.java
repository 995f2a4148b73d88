package io.natgate.control.providers;

import io.natgate.control.providers.pcp.PcpResult;
import io.natgate.control.providers.pcp.PcpServer;
import io.natgate.control.providers.pcp.PortMapper;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * PCP (RFC 6887 sections 7, 11, 12, 13) and NAT-PMP (RFC 6886 section 3) messages built byte by byte from
 * the RFCs' figures, and the fields of responses read the same way: the test vectors' source.
 */
final class PcpMessages
{
    static final int VERSION = 2;

    private PcpMessages()
    {
    }

    /**
     * A PCP request under construction: the common header, the opcode's fields, then options.
     */
    static final class Request
    {
        private final ByteBuffer bytes = ByteBuffer.allocate(2048).order(ByteOrder.BIG_ENDIAN);

        /**
         * The request header (figure 2): version, R=0 and opcode, reserved, requested lifetime, the client's
         * address IPv4-mapped.
         */
        Request(final int version, final int opcode, final long lifetimeSeconds, final int clientAddress)
        {
            bytes.put((byte)version).put((byte)opcode).putShort((short)0).putInt((int)lifetimeSeconds);
            ipv4Mapped(clientAddress);
        }

        static Request announce(final int clientAddress)
        {
            return new Request(VERSION, PcpServer.OP_ANNOUNCE, 0, clientAddress);
        }

        /**
         * MAP (figure 9): nonce, protocol, 3 reserved, internal port, suggested external port and address.
         */
        static Request map(
            final int clientAddress, final long lifetimeSeconds, final byte[] nonce, final int protocol,
            final int internalPort, final int suggestedPort, final int suggestedAddress)
        {
            final Request request = new Request(VERSION, PcpServer.OP_MAP, lifetimeSeconds, clientAddress);
            request.bytes.put(nonce).put((byte)protocol).put(new byte[3]).putShort((short)internalPort)
                .putShort((short)suggestedPort);
            request.ipv4MappedOrZero(suggestedAddress);
            return request;
        }

        /**
         * PEER (figure 10): the MAP fields, then remote peer port, 2 reserved, remote peer address.
         */
        static Request peer(
            final int clientAddress, final long lifetimeSeconds, final byte[] nonce, final int protocol,
            final int internalPort, final int suggestedPort, final int peerAddress, final int peerPort)
        {
            final Request request = new Request(VERSION, PcpServer.OP_PEER, lifetimeSeconds, clientAddress);
            request.bytes.put(nonce).put((byte)protocol).put(new byte[3]).putShort((short)internalPort)
                .putShort((short)suggestedPort).put(new byte[16]).putShort((short)peerPort).putShort((short)0);
            request.ipv4Mapped(peerAddress);
            return request;
        }

        /**
         * An option (figure 4): code, reserved, length of the data, the data padded to 4 bytes.
         */
        Request option(final int code, final byte[] data)
        {
            bytes.put((byte)code).put((byte)0).putShort((short)data.length).put(data);
            bytes.put(new byte[(4 - data.length % 4) % 4]);
            return this;
        }

        /**
         * THIRD_PARTY (figure 13): the internal address, IPv4-mapped.
         */
        Request thirdParty(final int address)
        {
            return option(PcpServer.OPTION_THIRD_PARTY, mapped(address));
        }

        Request preferFailure()
        {
            return option(PcpServer.OPTION_PREFER_FAILURE, new byte[0]);
        }

        /**
         * FILTER (figure 15): reserved, prefix length, remote peer port, remote peer address.
         */
        Request filter(final int prefixLength, final int remotePort, final int remoteAddress)
        {
            final ByteBuffer data = ByteBuffer.allocate(20).order(ByteOrder.BIG_ENDIAN);
            data.put((byte)0).put((byte)prefixLength).putShort((short)remotePort).put(mapped(remoteAddress));
            return option(PcpServer.OPTION_FILTER, data.array());
        }

        Request raw(final byte... more)
        {
            bytes.put(more);
            return this;
        }

        byte[] bytes()
        {
            final byte[] out = new byte[bytes.position()];
            bytes.duplicate().flip().get(out);
            return out;
        }

        private void ipv4Mapped(final int address)
        {
            bytes.put(mapped(address));
        }

        private void ipv4MappedOrZero(final int address)
        {
            bytes.put(address == 0 ? new byte[16] : mapped(address));
        }
    }

    /**
     * @return {@code ::ffff:a.b.c.d}.
     */
    static byte[] mapped(final int address)
    {
        return ByteBuffer.allocate(16).put(10, (byte)0xFF).put(11, (byte)0xFF).putInt(12, address).array();
    }

    static byte[] nonce(final int seed)
    {
        final byte[] nonce = new byte[12];
        for (int i = 0; i < nonce.length; i++)
        {
            nonce[i] = (byte)(seed * 31 + i);
        }
        return nonce;
    }

    /**
     * NAT-PMP map request (RFC 6886 section 3.3): version 0, opcode 1 (UDP) or 2 (TCP), reserved, internal port,
     * suggested external port, requested lifetime.
     */
    static byte[] natPmpMap(final int opcode, final int internalPort, final int suggestedPort, final long lifetime)
    {
        return ByteBuffer.allocate(12).put((byte)0).put((byte)opcode).putShort((short)0)
            .putShort((short)internalPort).putShort((short)suggestedPort).putInt((int)lifetime).array();
    }

    /**
     * A response's fields, read at the offsets of RFC 6887 figure 3 (and figures 9, 10 after the header).
     */
    record Response(byte[] bytes)
    {
        UnsafeBuffer buffer()
        {
            return new UnsafeBuffer(bytes);
        }

        int version()
        {
            return bytes[0] & 0xFF;
        }

        boolean isResponse()
        {
            return (bytes[1] & 0x80) != 0;
        }

        int opcode()
        {
            return bytes[1] & 0x7F;
        }

        PcpResult result()
        {
            return PcpResult.values()[bytes[3] & 0xFF];
        }

        long lifetime()
        {
            return buffer().getInt(4, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        }

        long epoch()
        {
            return buffer().getInt(8, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        }

        byte[] nonce()
        {
            final byte[] nonce = new byte[12];
            System.arraycopy(bytes, 24, nonce, 0, 12);
            return nonce;
        }

        int protocol()
        {
            return bytes[36] & 0xFF;
        }

        int internalPort()
        {
            return buffer().getShort(40, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }

        int externalPort()
        {
            return buffer().getShort(42, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }

        int externalAddress()
        {
            return PcpServer.ipv4Mapped(buffer(), 44);
        }

        int peerPort()
        {
            return buffer().getShort(60, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }

        int peerAddress()
        {
            return PcpServer.ipv4Mapped(buffer(), 64);
        }

        int length()
        {
            return bytes.length;
        }

        // NAT-PMP (RFC 6886 sections 3.2, 3.3)

        int natPmpResult()
        {
            return buffer().getShort(2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }

        long natPmpEpoch()
        {
            return buffer().getInt(4, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        }

        int natPmpExternalAddress()
        {
            return buffer().getInt(8, ByteOrder.BIG_ENDIAN);
        }

        int natPmpInternalPort()
        {
            return buffer().getShort(8, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }

        int natPmpExternalPort()
        {
            return buffer().getShort(10, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }

        long natPmpLifetime()
        {
            return buffer().getInt(12, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        }
    }
}
