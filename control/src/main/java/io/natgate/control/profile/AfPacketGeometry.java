package io.natgate.control.profile;

import io.natgate.bindings.afpacket.PacketSocketOptions;

/**
 * The AF_PACKET TPACKET_V3 ring geometry of a profile ({@code afpacket.*}), for each afpacket port.
 */
public record AfPacketGeometry(
    int blockSizeBytes, int blockCount, int frameSizeBytes, int blockTimeoutMs, int txFrameSizeBytes, int txFrameCount,
    int txBlockSizeBytes, boolean offloads, boolean gro)
{
    /**
     * Sets the ring geometry on a port's socket options (the interface and socket flags are the caller's).
     *
     * @return {@code options}.
     */
    public PacketSocketOptions applyTo(final PacketSocketOptions options)
    {
        return options.rxBlockSizeBytes(blockSizeBytes).rxBlockCount(blockCount).rxFrameSizeBytes(frameSizeBytes)
            .blockTimeoutMs(blockTimeoutMs).txFrameSizeBytes(txFrameSizeBytes).txFrameCount(txFrameCount)
            .txBlockSizeBytes(txBlockSizeBytes).vnetHeader(offloads);
    }

    /**
     * @return the bytes one port's rx and tx rings map, as the bindings compute them.
     */
    public long ringBytesPerPort()
    {
        final PacketSocketOptions options = applyTo(new PacketSocketOptions());
        return options.rxRingSizeBytes() + options.txRingSizeBytes();
    }
}
