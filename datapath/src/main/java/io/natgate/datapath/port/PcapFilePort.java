package io.natgate.datapath.port;

import io.natgate.bindings.pcap.LibPcap;
import io.natgate.bindings.pcap.Pcap;
import io.natgate.bindings.pcap.PcapDumper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * A port over capture files, needing no privileges: it receives the frames of an input file
 * (pcap or pcapng, read in order, as fast as the pipeline takes them) and writes what it
 * transmits to an output file (classic pcap). Running a capture through the datapath this way
 * gives the translated capture. Either file may be absent: an input-only port transmits nothing,
 * an output-only port receives nothing. Ethernet files make an {@link LinkLayer#ETHERNET} port,
 * raw-IP files a {@link LinkLayer#RAW_IP} one.
 */
public final class PcapFilePort implements Port
{
    private static final int SNAP_LENGTH = 65535;

    private final String name;
    private final LinkLayer linkLayer;
    private final long macAddress;
    private final int mtu;
    private final int maxFrameLength;
    private final Pcap input;
    private final PcapReceiver receiver;
    private final PcapDumper output;
    private final UnsafeBuffer outputStaging;
    private final LongSupplier timestampMicros;
    private int framesSinceFlush;

    private PcapFilePort(final String name, final LinkLayer linkLayer, final long macAddress, final int mtu,
        final Pcap input, final PcapDumper output, final LongSupplier timestampMicros)
    {
        this.name = name;
        this.linkLayer = linkLayer;
        this.macAddress = linkLayer == LinkLayer.ETHERNET ? macAddress : 0;
        this.mtu = mtu;
        this.maxFrameLength = linkLayer.maxFrameLength(mtu);
        this.input = input;
        this.receiver = input == null ? null : new PcapReceiver(input);
        this.output = output;
        this.outputStaging = output == null ? null :
            new UnsafeBuffer(output.stagingBuffer().address(), (int)output.stagingBuffer().byteSize());
        if (timestampMicros != null)
        {
            this.timestampMicros = timestampMicros;
        }
        else if (input != null)
        {
            this.timestampMicros = this::lastTimestampMicros;
        }
        else
        {
            this.timestampMicros = () -> System.currentTimeMillis() * 1000L;
        }
    }

    /**
     * Opens a port reading {@code input} (may be null) and writing {@code output} (may be null).
     *
     * @param linkLayer       required when there is no input; with an input it must match the file's link type, or be null.
     * @param macAddress      the port's MAC (low 48 bits) for an Ethernet port; files carry none.
     * @param timestampMicros stamps each transmitted frame; null stamps it with the time of the last
     *                        frame this port read (keeping a replay's timing), or the wall clock for
     *                        an output-only port. Pass another port's {@link #lastTimestampMicros()}
     *                        to follow that port's input.
     * @throws io.natgate.bindings.pcap.PcapException with libpcap's text when a file cannot be opened.
     * @throws IllegalArgumentException for a link type no port carries, or a mismatch.
     */
    public static PcapFilePort open(final String name, final Path input, final Path output, final LinkLayer linkLayer,
        final long macAddress, final int mtu, final LongSupplier timestampMicros)
    {
        if (input == null && output == null)
        {
            throw new IllegalArgumentException("port " + name + ": needs an input file, an output file or both");
        }
        if (mtu < 68 || mtu > SNAP_LENGTH)
        {
            throw new IllegalArgumentException("port " + name + ": mtu must be in [68, 65535]: mtu=" + mtu);
        }
        final Pcap in = input == null ? null : Pcap.openOffline(input);
        try
        {
            final LinkLayer layer = in == null ? linkLayer : linkLayerOf(name, input, in.linkType());
            if (layer == null)
            {
                throw new IllegalArgumentException("port " + name + ": an output-only file port needs its link layer");
            }
            if (linkLayer != null && linkLayer != layer)
            {
                throw new IllegalArgumentException("port " + name + ": " + input + " holds " + layer + " frames, not " +
                    linkLayer);
            }
            final PcapDumper out = output == null ? null :
                PcapDumper.create(output, layer == LinkLayer.ETHERNET ? LibPcap.DLT_EN10MB : LibPcap.DLT_RAW, SNAP_LENGTH);
            return new PcapFilePort(name, layer, macAddress, mtu, in, out, timestampMicros);
        }
        catch (final RuntimeException ex)
        {
            if (in != null)
            {
                in.close();
            }
            throw ex;
        }
    }

    /**
     * An Ethernet port that replays {@code input} and records to {@code output}, stamping
     * transmitted frames with the time of the last frame it read.
     */
    public static PcapFilePort replay(final String name, final Path input, final Path output, final long macAddress)
    {
        return open(name, input, output, null, macAddress, 1500, null);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public LinkLayer linkLayer()
    {
        return linkLayer;
    }

    @Override
    public long macAddress()
    {
        return macAddress;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        return receiver == null ? 0 : receiver.receive(handler, limit);
    }

    /**
     * @return true once the whole input file has been received (always for an output-only port).
     */
    public boolean endOfInput()
    {
        return receiver == null || receiver.endOfFile();
    }

    /**
     * @return the capture time of the last frame received, in microseconds since the epoch.
     */
    public long lastTimestampMicros()
    {
        return receiver == null ? 0 : receiver.lastTimestampMicros();
    }

    /**
     * Appends the frame to the output file.
     *
     * @return false when there is no output file or the frame is longer than the MTU allows.
     */
    @Override
    public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (output == null || length > maxFrameLength)
        {
            return false;
        }
        outputStaging.putBytes(0, buffer, offset, length);
        output.dump(length, timestampMicros.getAsLong());
        framesSinceFlush++;
        return true;
    }

    /**
     * Writes buffered frames to the output file.
     */
    @Override
    public int flush()
    {
        if (output == null || framesSinceFlush == 0)
        {
            return 0;
        }
        output.flush();
        final int frames = framesSinceFlush;
        framesSinceFlush = 0;
        return frames;
    }

    @Override
    public void close()
    {
        try
        {
            if (input != null)
            {
                input.close();
            }
        }
        finally
        {
            if (output != null)
            {
                output.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return "PcapFilePort{" + name + ", in=" + (input == null ? "-" : input.source()) +
            ", out=" + (output == null ? "-" : output.file()) + '}';
    }

    private static LinkLayer linkLayerOf(final String name, final Path file, final int linkType)
    {
        return switch (linkType)
        {
            case LibPcap.DLT_EN10MB -> LinkLayer.ETHERNET;
            case LibPcap.DLT_RAW, LibPcap.LINKTYPE_RAW, LibPcap.LINKTYPE_IPV4 -> LinkLayer.RAW_IP;
            default -> throw new IllegalArgumentException("port " + name + ": " + file + " has link type " +
                Pcap.linkTypeName(linkType) + "; a file port carries Ethernet (EN10MB) or raw IP (RAW) frames");
        };
    }
}
