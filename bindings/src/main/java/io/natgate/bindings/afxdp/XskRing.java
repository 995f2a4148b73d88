package io.natgate.bindings.afxdp;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static io.natgate.bindings.NativeLibrary.ALL_MEMORY;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One AF_XDP ring (fill, completion, rx or tx) driven from Java over the memory the kernel maps:
 * what {@code xsk.h}'s static inline helpers do in C. The kernel and this side each own one index;
 * the other's is read with acquire semantics and the own one is published with release semantics,
 * so descriptors written before a release are visible to the kernel before the index moves, and
 * descriptors the kernel wrote are read only after the acquire that saw them. The far index is
 * cached and re-read only when the cache says the ring is full (producer) or empty (consumer).
 * One thread drives a ring.
 */
public final class XskRing
{
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment producer;
    private final MemorySegment consumer;
    private final MemorySegment flags;
    private final long descs;
    private final int mask;
    private final int size;
    private int cachedProducer;
    private int cachedConsumer;

    /**
     * Reads the pointers libxdp put in a {@code struct xsk_ring_prod} or {@code xsk_ring_cons}.
     *
     * @param ring the struct, filled by {@code xsk_umem__create} or {@code xsk_socket__create_shared}.
     */
    XskRing(final MemorySegment ring)
    {
        this.producer = MemorySegment.ofAddress(ring.get(JAVA_LONG, LibXdp.RING_PRODUCER_OFFSET)).reinterpret(4);
        this.consumer = MemorySegment.ofAddress(ring.get(JAVA_LONG, LibXdp.RING_CONSUMER_OFFSET)).reinterpret(4);
        final long flagsAddress = ring.get(JAVA_LONG, LibXdp.RING_FLAGS_OFFSET);
        this.flags = flagsAddress == 0 ? null : MemorySegment.ofAddress(flagsAddress).reinterpret(4);
        this.descs = ring.get(JAVA_LONG, LibXdp.RING_DESCS_OFFSET);
        this.mask = ring.get(JAVA_INT, LibXdp.RING_MASK_OFFSET);
        this.size = ring.get(JAVA_INT, LibXdp.RING_SIZE_OFFSET);
        this.cachedProducer = (int)INT.getAcquire(producer, 0L);
        this.cachedConsumer = (int)INT.getAcquire(consumer, 0L);
    }

    public int size()
    {
        return size;
    }

    // ---- producer side (fill, tx) ----

    /**
     * @return how many entries can be produced now, at least {@code wanted} if that many are free;
     * re-reads the kernel's consumer index only when the cached one shows fewer.
     */
    public int freeEntries(final int wanted)
    {
        int free = size - (cachedProducer - cachedConsumer);
        if (free < wanted)
        {
            cachedConsumer = (int)INT.getAcquire(consumer, 0L);
            free = size - (cachedProducer - cachedConsumer);
        }
        return free;
    }

    /**
     * Claims {@code count} entries for writing.
     *
     * @return the index of the first (to pass to {@link #putAddress} or {@link #putDescriptor}), or -1
     * when fewer than {@code count} are free.
     */
    public long reserve(final int count)
    {
        if (freeEntries(count) < count)
        {
            return -1;
        }
        final int first = cachedProducer;
        cachedProducer += count;
        return first & 0xFFFF_FFFFL;
    }

    /**
     * Publishes every reserved entry to the kernel (a release store of the producer index).
     */
    public void submit()
    {
        INT.setRelease(producer, 0L, cachedProducer);
    }

    /**
     * @return entries reserved but not yet submitted.
     */
    public int unsubmitted()
    {
        return cachedProducer - (int)INT.get(producer, 0L);
    }

    /**
     * @return entries produced that the kernel has not consumed yet (re-reads its index).
     */
    public int outstanding()
    {
        cachedConsumer = (int)INT.getAcquire(consumer, 0L);
        return (int)INT.get(producer, 0L) - cachedConsumer;
    }

    /**
     * @return true when the kernel asks to be woken (sendto for tx, recvfrom or poll for fill).
     */
    public boolean needsWakeup()
    {
        return flags != null && ((int)INT.getAcquire(flags, 0L) & LibXdp.XDP_RING_NEED_WAKEUP) != 0;
    }

    /**
     * Writes a UMEM address into a fill ring entry.
     */
    public void putAddress(final long index, final long umemAddress)
    {
        ALL_MEMORY.set(JAVA_LONG, descs + ((index & mask) << 3), umemAddress);
    }

    /**
     * Writes a tx descriptor: where in the UMEM the frame is and how long.
     */
    public void putDescriptor(final long index, final long umemAddress, final int length)
    {
        final long desc = descs + (index & mask) * LibXdp.DESC_SIZE;
        ALL_MEMORY.set(JAVA_LONG, desc + LibXdp.DESC_ADDR_OFFSET, umemAddress);
        ALL_MEMORY.set(JAVA_INT, desc + LibXdp.DESC_LEN_OFFSET, length);
        ALL_MEMORY.set(JAVA_INT, desc + LibXdp.DESC_OPTIONS_OFFSET, 0);
    }

    // ---- consumer side (rx, completion) ----

    /**
     * Takes up to {@code limit} entries the kernel produced; re-reads its producer index only when
     * the cache shows none.
     *
     * @return how many; they start at {@link #peekIndex()} and stay valid until {@link #release(int)}.
     */
    public int peek(final int limit)
    {
        int available = cachedProducer - cachedConsumer;
        if (available == 0)
        {
            cachedProducer = (int)INT.getAcquire(producer, 0L);
            available = cachedProducer - cachedConsumer;
        }
        return Math.min(available, limit);
    }

    /**
     * @return the index of the first entry {@link #peek(int)} returned.
     */
    public long peekIndex()
    {
        return cachedConsumer & 0xFFFF_FFFFL;
    }

    /**
     * Gives {@code count} peeked entries back to the kernel (a release store of the consumer index,
     * after every read of them).
     */
    public void release(final int count)
    {
        cachedConsumer += count;
        INT.setRelease(consumer, 0L, cachedConsumer);
    }

    /**
     * @return the UMEM address in a completion ring entry.
     */
    public long address(final long index)
    {
        return ALL_MEMORY.get(JAVA_LONG, descs + ((index & mask) << 3));
    }

    /**
     * @return the UMEM address of an rx descriptor (where the frame starts).
     */
    public long descriptorAddress(final long index)
    {
        return ALL_MEMORY.get(JAVA_LONG, descs + (index & mask) * LibXdp.DESC_SIZE + LibXdp.DESC_ADDR_OFFSET);
    }

    /**
     * @return the frame length of an rx descriptor.
     */
    public int descriptorLength(final long index)
    {
        return ALL_MEMORY.get(JAVA_INT, descs + (index & mask) * LibXdp.DESC_SIZE + LibXdp.DESC_LEN_OFFSET);
    }
}
