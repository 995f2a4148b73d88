package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.counters.PortCounter;
import io.natgate.datapath.port.InMemoryPort;
import io.natgate.datapath.port.LinkLayer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.natgate.datapath.pipeline.TestRings.drain;
import static io.natgate.datapath.pipeline.TestRings.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RxAgentTest
{
    private static final int PORT_INDEX = 1;
    private static final int FRAME_LENGTH = 120;

    private final PipelineConfig config = new PipelineConfig().burstSize(16).maxFrameLength(128).validate();
    private final DatapathCounters counters = new DatapathCounters(2);
    private final InMemoryPort port = new InMemoryPort("inside", LinkLayer.ETHERNET, 0x02_00_00_00_00_01L, 1500, 64);
    // 1024 bytes hold 7 frames of 120 bytes: 128 with the record header, and the ring keeps 8 bytes spare.
    private final RingBuffer rxRing = TestRings.oneToOne(1024);
    private final RxAgent agent = new RxAgent(config, port, PORT_INDEX, rxRing, counters);

    @Test
    void shouldCopyReceivedFramesIntoRxRingAndCountFramesAndBytes()
    {
        port.offer(frame(1, 60));
        port.offer(frame(2, FRAME_LENGTH));

        assertEquals(2, agent.doWork());

        final List<byte[]> frames = drain(rxRing);
        assertEquals(2, frames.size());
        assertArrayEquals(frame(1, 60), frames.get(0));
        assertArrayEquals(frame(2, FRAME_LENGTH), frames.get(1));
        assertEquals(2, counters.get(PORT_INDEX, PortCounter.RX_FRAMES));
        assertEquals(60 + FRAME_LENGTH, counters.get(PORT_INDEX, PortCounter.RX_BYTES));
        assertEquals(0, counters.get(0, PortCounter.RX_FRAMES));
    }

    @Test
    void shouldReceiveAtMostBurstSizeFramesPerDutyCycle()
    {
        final RxAgent smallBursts = new RxAgent(
            new PipelineConfig().burstSize(2).maxFrameLength(128).validate(), port, PORT_INDEX, rxRing, counters);
        for (int i = 0; i < 5; i++)
        {
            port.offer(frame(i, 64));
        }

        assertEquals(2, smallBursts.doWork());
        assertEquals(2, smallBursts.doWork());
        assertEquals(1, smallBursts.doWork());
        assertEquals(0, smallBursts.doWork());
        assertEquals(5, drain(rxRing).size());
    }

    @Test
    void shouldCountRxRingFullAsDropAndKeepReceiving()
    {
        for (int i = 0; i < 12; i++)
        {
            assertTrue(port.offer(frame(i, FRAME_LENGTH)));
        }

        // 7 frames fit; the 8th finds the ring full, is dropped and ends the burst.
        assertEquals(8, agent.doWork());
        assertEquals(1, counters.get(PORT_INDEX, DropReason.RX_RING_FULL));
        assertEquals(8, counters.get(PORT_INDEX, PortCounter.RX_FRAMES));
        final List<byte[]> first = drain(rxRing);
        assertEquals(7, first.size());
        assertArrayEquals(frame(6, FRAME_LENGTH), first.get(6));

        assertEquals(4, agent.doWork());
        final List<byte[]> second = drain(rxRing);
        assertEquals(4, second.size());
        assertArrayEquals(frame(8, FRAME_LENGTH), second.get(0));
        assertArrayEquals(frame(11, FRAME_LENGTH), second.get(3));
        assertEquals(1, counters.get(PORT_INDEX, DropReason.RX_RING_FULL));
        assertEquals(12, counters.get(PORT_INDEX, PortCounter.RX_FRAMES));
        assertEquals(1, counters.totalDrops(PORT_INDEX));
    }

    @Test
    void shouldDropFrameLargerThanMaxFrameLengthAsFrameTooLargeAndKeepReceiving()
    {
        port.offer(frame(1, 64));
        port.offer(frame(2, 129));
        port.offer(frame(3, 128));

        assertEquals(3, agent.doWork());

        final List<byte[]> frames = drain(rxRing);
        assertEquals(2, frames.size());
        assertArrayEquals(frame(3, 128), frames.get(1));
        assertEquals(1, counters.get(PORT_INDEX, DropReason.FRAME_TOO_LARGE));
        assertEquals(3, counters.get(PORT_INDEX, PortCounter.RX_FRAMES));
    }

    @Test
    void shouldReportNoWorkWhenPortHasNothing()
    {
        assertEquals(0, agent.doWork());
        assertEquals(0, counters.get(PORT_INDEX, PortCounter.RX_FRAMES));
    }

    @Test
    void shouldNameItsRoleAfterThePort()
    {
        assertEquals("natgate-rx-inside", agent.roleName());
    }
}
