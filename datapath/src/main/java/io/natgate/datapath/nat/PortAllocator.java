package io.natgate.datapath.nat;

/**
 * Public ports in use, a bitmap of 65,536 bits per public address and protocol (TCP, UDP,
 * ICMP identifiers). Allocation preserves the inside port where it is free (RFC 4787
 * REQ-1/"port preservation"), keeps the inside port's range (0-1023 stays below 1024,
 * REQ-3) and its parity (REQ-4), scanning 64 ports a word from a rotating cursor. With several
 * workers each allocates only from its own {@link WorkerPorts} ranges, preserving a port only where it
 * lies in them.
 */
final class PortAllocator
{
    static final int PROTOCOL_SLOTS = 3;
    private static final int WORDS = 65_536 / 64;

    private final long[] bitmaps;
    private final int[] cursors;
    private final int[] portsInUseByAddress;
    private final WorkerPorts workerPorts;
    private final int worker;
    private final int privilegedLow;
    private final int privilegedHigh;
    private final int dynamicLow;
    private final int dynamicHigh;
    private final int icmpLow;
    private int portsInUse;

    PortAllocator(final int addressCount)
    {
        this(addressCount, WorkerPorts.SINGLE, 0);
    }

    PortAllocator(final int addressCount, final WorkerPorts workerPorts, final int worker)
    {
        bitmaps = new long[addressCount * PROTOCOL_SLOTS * WORDS];
        cursors = new int[addressCount * PROTOCOL_SLOTS];
        portsInUseByAddress = new int[addressCount];
        this.workerPorts = workerPorts;
        this.worker = worker;
        privilegedLow = workerPorts.privilegedLow(worker);
        privilegedHigh = workerPorts.privilegedHigh(worker);
        dynamicLow = workerPorts.dynamicLow(worker);
        dynamicHigh = workerPorts.dynamicHigh(worker);
        // one worker: identifiers from the whole space, as ever; several: the worker's ports from 1024 up
        icmpLow = workerPorts.workers() == 1 ? 1 : dynamicLow;
        final int span = dynamicHigh - dynamicLow + 1;
        for (int i = 0; i < cursors.length; i++)
        {
            final int spread = (int)((i * 0x9E37_79B9L) & 0x7FFF);
            cursors[i] = dynamicLow + (span > 0x7FFF ? spread : spread % span);
        }
    }

    /**
     * @return whether {@code port} lies in this worker's ranges.
     */
    boolean owns(final int port)
    {
        return workerPorts.owner(port) == worker;
    }

    static int protocolSlot(final int protocol)
    {
        return switch (protocol)
        {
            case 6 -> 0;
            case 17 -> 1;
            default -> 2;
        };
    }

    boolean isFree(final int addressIndex, final int protocol, final int port)
    {
        final int base = base(addressIndex, protocol);
        return (bitmaps[base + (port >>> 6)] & (1L << port)) == 0;
    }

    /**
     * Marks a specific port used.
     *
     * @return false when it is already in use.
     */
    boolean tryAcquire(final int addressIndex, final int protocol, final int port)
    {
        final int index = base(addressIndex, protocol) + (port >>> 6);
        final long bit = 1L << port;
        if ((bitmaps[index] & bit) != 0)
        {
            return false;
        }
        bitmaps[index] |= bit;
        portsInUse++;
        portsInUseByAddress[addressIndex]++;
        return true;
    }

    /**
     * Allocates a port for an inside port: the inside port itself when preserving and free,
     * else one of the same range and (when asked) parity.
     *
     * @return the port, or -1 when the range has no free port.
     */
    int acquire(
        final int addressIndex, final int protocol, final int insidePort, final boolean preserve, final boolean parity)
    {
        if (preserve && insidePort != 0 && owns(insidePort) && tryAcquire(addressIndex, protocol, insidePort))
        {
            return insidePort;
        }

        final int low;
        final int high;
        if (protocol == Ipv4Protocols.ICMP)
        {
            low = icmpLow;
            high = dynamicHigh;
        }
        else if (insidePort < 1024)
        {
            low = privilegedLow;
            high = privilegedHigh;
        }
        else
        {
            low = dynamicLow;
            high = dynamicHigh;
        }

        final int cursorIndex = addressIndex * PROTOCOL_SLOTS + protocolSlot(protocol);
        final int start = Math.max(low, Math.min(high, cursors[cursorIndex]));
        int port = scan(addressIndex, protocol, start, high, parity, insidePort & 1);
        if (port < 0)
        {
            port = scan(addressIndex, protocol, low, start - 1, parity, insidePort & 1);
        }
        if (port < 0 && parity)
        {
            // parity is a preference (REQ-4 is a SHOULD): take any port rather than fail
            port = scan(addressIndex, protocol, low, high, false, 0);
        }
        if (port >= 0)
        {
            tryAcquire(addressIndex, protocol, port);
            cursors[cursorIndex] = port + 1 > high ? low : port + 1;
        }
        return port;
    }

    /**
     * Allocates a port within {@code [low, high]} (a port block, a deterministic range): the inside port
     * itself when preserving and it lies there free, else the first free one of its parity (when asked),
     * else any free one.
     *
     * @return the port, or -1 when the range has no free port.
     */
    int acquireInRange(
        final int addressIndex, final int protocol, final int insidePort, final boolean preserve, final boolean parity,
        final int low, final int high)
    {
        if (preserve && insidePort >= low && insidePort <= high && tryAcquire(addressIndex, protocol, insidePort))
        {
            return insidePort;
        }
        int port = scan(addressIndex, protocol, low, high, parity, insidePort & 1);
        if (port < 0 && parity)
        {
            port = scan(addressIndex, protocol, low, high, false, 0);
        }
        if (port >= 0)
        {
            tryAcquire(addressIndex, protocol, port);
        }
        return port;
    }

    private int scan(
        final int addressIndex, final int protocol, final int from, final int to, final boolean parity, final int bit)
    {
        if (from > to)
        {
            return -1;
        }
        final int base = base(addressIndex, protocol);
        final long parityMask = parity ? (bit == 0 ? 0x5555_5555_5555_5555L : 0xAAAA_AAAA_AAAA_AAAAL) : -1L;
        for (int word = from >>> 6, last = to >>> 6; word <= last; word++)
        {
            long free = ~bitmaps[base + word] & parityMask;
            if (word == from >>> 6)
            {
                free &= -1L << (from & 63);
            }
            if (word == last && (to & 63) != 63)
            {
                free &= (1L << ((to & 63) + 1)) - 1;
            }
            if (free != 0)
            {
                return (word << 6) + Long.numberOfTrailingZeros(free);
            }
        }
        return -1;
    }

    /**
     * Marks a port another worker's static mapping holds, so this worker never hands it out; not counted
     * as in use here.
     *
     * @return false when it is in use already.
     */
    boolean reserve(final int addressIndex, final int protocol, final int port)
    {
        final int index = base(addressIndex, protocol) + (port >>> 6);
        final long bit = 1L << port;
        if ((bitmaps[index] & bit) != 0)
        {
            return false;
        }
        bitmaps[index] |= bit;
        return true;
    }

    /**
     * Frees a port {@link #reserve} marked.
     */
    void unreserve(final int addressIndex, final int protocol, final int port)
    {
        bitmaps[base(addressIndex, protocol) + (port >>> 6)] &= ~(1L << port);
    }

    void release(final int addressIndex, final int protocol, final int port)
    {
        final int index = base(addressIndex, protocol) + (port >>> 6);
        final long bit = 1L << port;
        if ((bitmaps[index] & bit) != 0)
        {
            bitmaps[index] &= ~bit;
            portsInUse--;
            portsInUseByAddress[addressIndex]--;
        }
    }

    int portsInUse()
    {
        return portsInUse;
    }

    /**
     * @return the public ports (of every protocol) in use on the pool's address at {@code addressIndex}.
     */
    int portsInUse(final int addressIndex)
    {
        return portsInUseByAddress[addressIndex];
    }

    long capacityBytes()
    {
        return (long)bitmaps.length * Long.BYTES + (long)(cursors.length + portsInUseByAddress.length) * Integer.BYTES;
    }

    private static int base(final int addressIndex, final int protocol)
    {
        return (addressIndex * PROTOCOL_SLOTS + protocolSlot(protocol)) * WORDS;
    }
}
