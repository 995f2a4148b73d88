package io.natgate.datapath.nat;

import java.util.Arrays;

/**
 * Port-block allocation (PBA): a client's public ports come in blocks of {@code size} consecutive
 * ports of its (paired) public address, ports 1024 and up cut into blocks. Its mappings, of every
 * protocol, are allocated inside its blocks; a new block is taken when they are full, up to
 * {@code maxPerClient}; a block goes back when its last mapping does. One event per block allocated
 * or released (and, every {@code interimNs}, an interim one per live block) replaces one per mapping.
 * <p>
 * Which ports of a block are in use is the {@link PortAllocator}'s bitmap (a block's ports are only
 * ever given to its owner); this class keeps who owns each block and how many mappings use it.
 * Preallocated; single-threaded like the engine.
 */
final class PortBlockAllocator
{
    static final int FIRST_PORT = 1024;
    /** {@link #assign}: the client holds {@code maxPerClient} full blocks. */
    static final int QUOTA = -2;
    /** {@link #assign}: its public address has no free block. */
    static final int EXHAUSTED = -1;
    private static final int FREE = -1;

    private final int size;
    private final int maxPerClient;
    private final int blocksPerAddress;
    private final long interimNs;
    private final PortAllocator ports;
    private final AddressSet publicAddresses;
    private final NatEventListener events;
    private final int[] owner;
    private final int[] ownerEntry;
    private final int[] users;
    private final long[] nextInterimNs;
    private final int[] freePerAddress;
    private final int[] cursorPerAddress;
    private final int[] clientBlocks;
    private final int[] clientBlockCount;
    private int blocksInUse;
    private int interimCursor;

    PortBlockAllocator(
        final int size, final int maxPerClient, final long interimNs, final int maxClients,
        final AddressSet publicAddresses, final PortAllocator ports, final NatEventListener events)
    {
        this.size = size;
        this.maxPerClient = maxPerClient;
        this.interimNs = interimNs;
        this.ports = ports;
        this.publicAddresses = publicAddresses;
        this.events = events;
        blocksPerAddress = (65_536 - FIRST_PORT) / size;
        final int blocks = blocksPerAddress * publicAddresses.size();
        owner = new int[blocks];
        ownerEntry = new int[blocks];
        users = new int[blocks];
        Arrays.fill(users, FREE);
        nextInterimNs = new long[blocks];
        freePerAddress = new int[publicAddresses.size()];
        Arrays.fill(freePerAddress, blocksPerAddress);
        cursorPerAddress = new int[publicAddresses.size()];
        clientBlocks = new int[maxClients * maxPerClient];
        clientBlockCount = new int[maxClients];
    }

    /**
     * A public port for a new mapping of client {@code entry} (its {@link ClientTable} entry): in one of
     * its blocks, the inside port itself where it lies in one and is free, else one of its parity.
     *
     * @return the port, {@link #QUOTA} or {@link #EXHAUSTED}.
     */
    int assign(
        final int entry, final int insideAddress, final int addressIndex, final int protocol, final int insidePort,
        final boolean preserve, final boolean parity, final long nowNs)
    {
        final int count = clientBlockCount[entry];
        final int base = entry * maxPerClient;
        if (preserve)
        {
            for (int i = 0; i < count; i++)
            {
                final int block = clientBlocks[base + i];
                if (insidePort >= firstPort(block) && insidePort <= lastPort(block) &&
                    ports.tryAcquire(addressIndex, protocol, insidePort))
                {
                    users[block]++;
                    return insidePort;
                }
            }
        }
        for (int i = 0; i < count; i++)
        {
            final int block = clientBlocks[base + i];
            final int port = ports.acquireInRange(
                addressIndex, protocol, insidePort, false, parity, firstPort(block), lastPort(block));
            if (port >= 0)
            {
                users[block]++;
                return port;
            }
        }
        if (count >= maxPerClient)
        {
            return QUOTA;
        }
        final int block = takeBlock(addressIndex, insideAddress, entry, nowNs);
        if (block < 0)
        {
            return EXHAUSTED;
        }
        final int port = ports.acquireInRange(
            addressIndex, protocol, insidePort, preserve, parity, firstPort(block), lastPort(block));
        if (port < 0) // every port of the new block taken by static mappings: give it back
        {
            release(block, nowNs);
            return EXHAUSTED;
        }
        users[block]++;
        return port;
    }

    /**
     * A mapping took {@code port} by name (static, restored): it counts in its block when the block is
     * its inside address's.
     */
    void added(final int insideAddress, final int addressIndex, final int port)
    {
        final int block = ownedBlock(insideAddress, addressIndex, port);
        if (block >= 0)
        {
            users[block]++;
        }
    }

    /**
     * A mapping on {@code port} went; its block goes too when it was the block's last.
     */
    void removed(final int insideAddress, final int addressIndex, final int port, final long nowNs)
    {
        final int block = ownedBlock(insideAddress, addressIndex, port);
        if (block >= 0 && --users[block] == 0)
        {
            release(block, nowNs);
        }
    }

    /**
     * @return whether {@code port} of the address lies in one of {@code insideAddress}'s blocks.
     */
    boolean owns(final int insideAddress, final int addressIndex, final int port)
    {
        return ownedBlock(insideAddress, addressIndex, port) >= 0;
    }

    /**
     * Reports live blocks whose interim record is due, looking at most at {@code limit} blocks.
     *
     * @return interim records reported.
     */
    int interim(final long nowNs, final int limit)
    {
        if (interimNs == 0 || blocksInUse == 0)
        {
            return 0;
        }
        int reported = 0;
        for (int i = 0; i < limit; i++)
        {
            final int block = interimCursor;
            interimCursor = interimCursor + 1 == users.length ? 0 : interimCursor + 1;
            if (users[block] != FREE && nextInterimNs[block] - nowNs <= 0)
            {
                nextInterimNs[block] = nowNs + interimNs;
                events.onPortBlockInterim(nowNs, owner[block], publicAddress(block), firstPort(block), lastPort(block));
                reported++;
            }
        }
        return reported;
    }

    int blocksInUse()
    {
        return blocksInUse;
    }

    int blocksOf(final int entry)
    {
        return clientBlockCount[entry];
    }

    long capacityBytes()
    {
        return (long)owner.length * (Integer.BYTES * 3 + Long.BYTES) +
            (long)(clientBlocks.length + clientBlockCount.length + freePerAddress.length * 2) * Integer.BYTES;
    }

    private int takeBlock(final int addressIndex, final int insideAddress, final int entry, final long nowNs)
    {
        if (freePerAddress[addressIndex] == 0)
        {
            return -1;
        }
        final int first = addressIndex * blocksPerAddress;
        int offset = cursorPerAddress[addressIndex];
        for (int i = 0; i < blocksPerAddress; i++)
        {
            final int block = first + offset;
            offset = offset + 1 == blocksPerAddress ? 0 : offset + 1;
            if (users[block] == FREE)
            {
                cursorPerAddress[addressIndex] = offset;
                freePerAddress[addressIndex]--;
                blocksInUse++;
                users[block] = 0;
                owner[block] = insideAddress;
                ownerEntry[block] = entry;
                nextInterimNs[block] = nowNs + interimNs;
                clientBlocks[entry * maxPerClient + clientBlockCount[entry]++] = block;
                events.onPortBlockAllocated(nowNs, insideAddress, publicAddress(block), firstPort(block),
                    lastPort(block));
                return block;
            }
        }
        return -1;
    }

    private void release(final int block, final long nowNs)
    {
        final int entry = ownerEntry[block];
        final int base = entry * maxPerClient;
        final int count = clientBlockCount[entry];
        for (int i = 0; i < count; i++)
        {
            if (clientBlocks[base + i] == block)
            {
                clientBlocks[base + i] = clientBlocks[base + count - 1];
                clientBlockCount[entry] = count - 1;
                break;
            }
        }
        users[block] = FREE;
        freePerAddress[block / blocksPerAddress]++;
        blocksInUse--;
        events.onPortBlockReleased(nowNs, owner[block], publicAddress(block), firstPort(block), lastPort(block));
    }

    private int ownedBlock(final int insideAddress, final int addressIndex, final int port)
    {
        if (port < FIRST_PORT)
        {
            return -1;
        }
        final int offset = (port - FIRST_PORT) / size;
        if (offset >= blocksPerAddress)
        {
            return -1;
        }
        final int block = addressIndex * blocksPerAddress + offset;
        return users[block] != FREE && owner[block] == insideAddress ? block : -1;
    }

    private int publicAddress(final int block)
    {
        return publicAddresses.address(block / blocksPerAddress);
    }

    private int firstPort(final int block)
    {
        return FIRST_PORT + (block % blocksPerAddress) * size;
    }

    private int lastPort(final int block)
    {
        return firstPort(block) + size - 1;
    }
}
