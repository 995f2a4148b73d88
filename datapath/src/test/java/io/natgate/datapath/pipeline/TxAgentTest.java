package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.port.FrameHandler;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.LinkLayer;
import io.natgate.datapath.port.Port;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.natgate.datapath.pipeline.TestRings.frame;
import static io.natgate.datapath.pipeline.TestRings.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TxAgentTest
{
    private static final int PORT_INDEX = 0;

    private final PipelineConfig config = new PipelineConfig().burstSize(4).validate();
    private final DatapathCounters counters = new DatapathCounters(2);
    private final RingBuffer txRing = TestRings.oneToOne(64 * 1024);

    @Test
    void shouldTransmitFramesFromTxRingInOrderAndCountFramesAndBytes()
    {
        final InMemoryPort port = InMemoryPort.ethernet("outside", 0x02_00_00_00_00_02L);
        final TxAgent agent = new TxAgent(config, port, PORT_INDEX, txRing, counters);
        write(txRing, frame(1, 60));
        write(txRing, frame(2, 1514));

        assertEquals(2, agent.doWork());

        assertArrayEquals(frame(1, 60), port.pollTransmitted());
        assertArrayEquals(frame(2, 1514), port.pollTransmitted());
        assertNull(port.pollTransmitted());
        assertEquals(2, counters.get(PORT_INDEX, PortCounter.TX_FRAMES));
        assertEquals(60 + 1514, counters.get(PORT_INDEX, PortCounter.TX_BYTES));
    }

    @Test
    void shouldTransmitAtMostBurstSizeFramesThenFlushPerDutyCycle()
    {
        final BurstingPort port = new BurstingPort(100);
        final TxAgent agent = new TxAgent(config, port, PORT_INDEX, txRing, counters);
        for (int i = 0; i < 6; i++)
        {
            write(txRing, frame(i, 64));
        }

        assertEquals(4, agent.doWork());
        assertEquals(List.of(4), port.flushedBursts);
        assertEquals(2, agent.doWork());
        assertEquals(List.of(4, 2), port.flushedBursts);
        assertEquals(0, agent.doWork());
        assertEquals(2, port.flushedBursts.size(), "no flush without frames");
    }

    @Test
    void shouldFlushAndRetryOnceWhenBurstingPortIsFullOfQueuedFrames()
    {
        final BurstingPort port = new BurstingPort(3);
        final TxAgent agent = new TxAgent(config, port, PORT_INDEX, txRing, counters);
        for (int i = 0; i < 4; i++)
        {
            write(txRing, frame(i, 64));
        }

        assertEquals(4, agent.doWork());

        assertEquals(List.of(3, 1), port.flushedBursts);
        assertEquals(4, counters.get(PORT_INDEX, PortCounter.TX_FRAMES));
        assertEquals(0, counters.get(PORT_INDEX, DropReason.TX_PORT_REFUSED));
    }

    @Test
    void shouldCountRefusedTransmitAsTxPortRefusedAndGoOnWithTheNextFrame()
    {
        final InMemoryPort port = new InMemoryPort("outside", LinkLayer.ETHERNET, 0x02_00_00_00_00_02L, 1500, 7);
        final TxAgent agent = new TxAgent(config, port, PORT_INDEX, txRing, counters);
        for (int i = 0; i < 8; i++)
        {
            write(txRing, frame(i, 120));
        }
        write(txRing, frame(99, 1600));

        agent.doWork();
        agent.doWork();
        agent.doWork();

        assertEquals(2, counters.get(PORT_INDEX, DropReason.TX_PORT_REFUSED));
        assertEquals(7, counters.get(PORT_INDEX, PortCounter.TX_FRAMES));
        assertEquals(7 * 120, counters.get(PORT_INDEX, PortCounter.TX_BYTES));
        for (int i = 0; i < 7; i++)
        {
            assertArrayEquals(frame(i, 120), port.pollTransmitted());
        }
        assertNull(port.pollTransmitted());
    }

    /**
     * A port that queues up to a number of frames until flushed, like AF_PACKET's tx ring.
     */
    private static final class BurstingPort implements Port
    {
        private final int queueCapacity;
        private int queued;
        final List<Integer> flushedBursts = new ArrayList<>();

        BurstingPort(final int queueCapacity)
        {
            this.queueCapacity = queueCapacity;
        }

        @Override
        public String name()
        {
            return "bursting";
        }

        @Override
        public LinkLayer linkLayer()
        {
            return LinkLayer.ETHERNET;
        }

        @Override
        public long macAddress()
        {
            return 1;
        }

        @Override
        public int mtu()
        {
            return 1500;
        }

        @Override
        public int receive(final FrameHandler handler, final int limit)
        {
            return 0;
        }

        @Override
        public boolean transmit(final DirectBuffer buffer, final int offset, final int length)
        {
            if (queued == queueCapacity)
            {
                return false;
            }
            queued++;
            return true;
        }

        @Override
        public int flush()
        {
            final int sent = queued;
            if (sent > 0)
            {
                flushedBursts.add(sent);
            }
            queued = 0;
            return sent;
        }

        @Override
        public void close()
        {
        }
    }
}
