package io.natgate.datapath.pipeline;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A vector of frames the worker processes together: one buffer of fixed, cache-line aligned
 * slots, each starting with {@link FrameProcessor#HEADROOM} writable bytes before its frame,
 * and per slot the frame's length, ingress port and {@link io.natgate.datapath.offload.Offload} state. Filled and consumed by one thread.
 */
public final class FrameBurst
{
    private final UnsafeBuffer buffer;
    private final int[] frameLengths;
    private final int[] ingressPorts;
    private final int[] offloads;
    private final int capacity;
    private final int slotLength;
    private final int maxFrameLength;
    private int size;

    /**
     * @param capacity       frames the burst holds.
     * @param maxFrameLength largest frame a slot holds, not counting the headroom.
     */
    public FrameBurst(final int capacity, final int maxFrameLength)
    {
        if (capacity < 1 || maxFrameLength < 1)
        {
            throw new IllegalArgumentException("capacity " + capacity + " and maxFrameLength " + maxFrameLength);
        }
        this.capacity = capacity;
        this.maxFrameLength = maxFrameLength;
        this.slotLength = BitUtil.align(FrameProcessor.HEADROOM + maxFrameLength, BitUtil.CACHE_LINE_LENGTH);
        this.buffer = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(Math.multiplyExact(capacity, slotLength), BitUtil.CACHE_LINE_LENGTH));
        this.frameLengths = new int[capacity];
        this.ingressPorts = new int[capacity];
        this.offloads = new int[capacity];
    }

    /**
     * Copies a frame into the next slot.
     *
     * @return false when the burst is full or the frame longer than a slot holds.
     */
    public boolean add(final DirectBuffer source, final int offset, final int length, final int ingressPort)
    {
        return add(source, offset, length, ingressPort, 0);
    }

    /**
     * Copies a frame with its offload state into the next slot.
     *
     * @return false when the burst is full or the frame longer than a slot holds.
     */
    public boolean add(
        final DirectBuffer source, final int offset, final int length, final int ingressPort, final int offload)
    {
        if (size == capacity || length > maxFrameLength)
        {
            return false;
        }
        final int slot = size;
        buffer.putBytes(frameOffset(slot), source, offset, length);
        frameLengths[slot] = length;
        ingressPorts[slot] = ingressPort;
        offloads[slot] = offload;
        size = slot + 1;
        return true;
    }

    public void clear()
    {
        size = 0;
    }

    public int size()
    {
        return size;
    }

    public boolean isFull()
    {
        return size == capacity;
    }

    public int capacity()
    {
        return capacity;
    }

    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * @return the buffer of all slots; {@link FrameProcessor#HEADROOM} bytes before each frame offset are writable.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public int frameOffset(final int slot)
    {
        return slot * slotLength + FrameProcessor.HEADROOM;
    }

    public int frameLength(final int slot)
    {
        return frameLengths[slot];
    }

    public int ingressPort(final int slot)
    {
        return ingressPorts[slot];
    }

    public int offload(final int slot)
    {
        return offloads[slot];
    }

    /**
     * @return the length of a slot, headroom included: slot {@code i} starts at {@code i * slotLength()}.
     */
    public int slotLength()
    {
        return slotLength;
    }
}
