package io.natgate.control.profile;

import io.natgate.bindings.afxdp.XdpAttach;
import io.natgate.bindings.afxdp.XdpMode;
import io.natgate.bindings.afxdp.XdpSocketOptions;

/**
 * The AF_XDP settings of a profile ({@code afxdp.*}), for each afxdp port: copy or zero-copy, where
 * the program runs, the UMEM's chunk size and size, and the four rings.
 */
public record AfXdpGeometry(
    XdpMode mode, XdpAttach attach, int frameSizeBytes, long umemSizeBytes, int rxRingSize, int txRingSize,
    int fillRingSize, int completionRingSize)
{
    /**
     * Sets these on a port's socket options (the interface and queue are the caller's).
     *
     * @return {@code options}.
     */
    public XdpSocketOptions applyTo(final XdpSocketOptions options)
    {
        return options.mode(mode).attach(attach).frameSizeBytes(frameSizeBytes)
            .umemFrameCount((int)Math.min(Integer.MAX_VALUE, umemSizeBytes / frameSizeBytes))
            .rxRingSize(rxRingSize).txRingSize(txRingSize).fillRingSize(fillRingSize)
            .completionRingSize(completionRingSize);
    }

    /**
     * @return the longest frame a chunk holds after the kernel's headroom.
     */
    public int maxFrameLength()
    {
        return applyTo(new XdpSocketOptions()).maxFrameLength();
    }

    /**
     * @return the UMEM bytes one port pins.
     */
    public long umemBytesPerPort()
    {
        return umemSizeBytes;
    }
}
