package io.natgate.datapath.guard;

/**
 * TCP flag combinations a conforming stack sends, as the kernel's conntrack accepts them
 * ({@code tcp_valid_flags}): SYN, SYN+URG, SYN+ACK, RST, RST+ACK, FIN+ACK, FIN+ACK+URG, ACK and
 * ACK+URG, each with or without PSH, ECE and CWR. Everything else (SYN+FIN, SYN+RST, no flag at all, FIN without ACK, URG or PSH without
 * ACK ...) is a scan or an attack on some stack behind the gateway.
 */
public final class TcpFlags
{
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int URG = 0x20;
    private static final boolean[] VALID = new boolean[64];

    static
    {
        for (final int flags : new int[] {SYN, SYN | URG, SYN | ACK, RST, RST | ACK, FIN | ACK, FIN | ACK | URG, ACK,
            ACK | URG})
        {
            VALID[flags] = true;
        }
    }

    private TcpFlags()
    {
    }

    /**
     * @param flags the TCP header's flags byte (offset 13).
     */
    public static boolean isValid(final int flags)
    {
        return VALID[flags & ~PSH & 0x3F];
    }
}
