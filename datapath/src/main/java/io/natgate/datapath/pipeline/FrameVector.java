package io.natgate.datapath.pipeline;

import org.agrona.MutableDirectBuffer;

/**
 * The frames of one burst as the worker hands them to the {@link FrameProcessor}: for each, the
 * buffer it lies in, its offset and length there, its ingress port and its
 * {@link io.natgate.datapath.offload.Offload} state. Frames are referenced where
 * they lie, never copied; {@link FrameProcessor#HEADROOM} bytes before each offset are writable.
 * Filled and consumed by one thread.
 */
public final class FrameVector
{
    private final MutableDirectBuffer[] buffers;
    private final int[] offsets;
    private final int[] lengths;
    private final int[] ingressPorts;
    private final int[] offloads;
    private int size;

    public FrameVector(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        buffers = new MutableDirectBuffer[capacity];
        offsets = new int[capacity];
        lengths = new int[capacity];
        ingressPorts = new int[capacity];
        offloads = new int[capacity];
    }

    /**
     * @return false when the vector is full.
     */
    public boolean add(final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort)
    {
        return add(buffer, offset, length, ingressPort, 0);
    }

    /**
     * Adds a frame with its {@link io.natgate.datapath.offload.Offload} state.
     *
     * @return false when the vector is full.
     */
    public boolean add(
        final MutableDirectBuffer buffer, final int offset, final int length, final int ingressPort, final int offload)
    {
        final int index = size;
        if (index == buffers.length)
        {
            return false;
        }
        buffers[index] = buffer;
        offsets[index] = offset;
        lengths[index] = length;
        ingressPorts[index] = ingressPort;
        offloads[index] = offload;
        size = index + 1;
        return true;
    }

    /**
     * Forgets the frames (the buffers stay referenced until overwritten: they are long-lived rings and bursts).
     */
    public void clear()
    {
        size = 0;
    }

    public int size()
    {
        return size;
    }

    public int capacity()
    {
        return buffers.length;
    }

    public MutableDirectBuffer buffer(final int index)
    {
        return buffers[index];
    }

    public int offset(final int index)
    {
        return offsets[index];
    }

    public int length(final int index)
    {
        return lengths[index];
    }

    public int ingressPort(final int index)
    {
        return ingressPorts[index];
    }

    /**
     * @return the frame's {@link io.natgate.datapath.offload.Offload} state, 0 for a plain frame.
     */
    public int offload(final int index)
    {
        return offloads[index];
    }
}
