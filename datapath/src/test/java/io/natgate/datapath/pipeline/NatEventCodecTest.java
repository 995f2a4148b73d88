package io.natgate.datapath.pipeline;

import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.nat.CommandStatus;
import io.natgate.datapath.nat.MappingKind;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NatEventCodecTest
{
    private final DatapathCounters counters = new DatapathCounters(1);
    private final RingBuffer ring = TestRings.oneToOne(1024);
    private final NatEventEncoder encoder = new NatEventEncoder(ring, counters);
    private final NatEventDecoder decoder = new NatEventDecoder(ring);
    private final RecordingNat listener = new RecordingNat();

    @Test
    void shouldRoundTripEveryFieldOfEveryEvent()
    {
        encoder.onMappingCreated(
            Long.MAX_VALUE, 6, 0xC0A8_0001, 0xFFFF, 0xCB00_7101, 1, MappingKind.STATIC.id());
        encoder.onMappingExpired(Long.MIN_VALUE, 17, Integer.MIN_VALUE, 65_535, -1, 0);
        encoder.onMappingRemoved(0L, 1, 0x0A00_0002, 4_500, Integer.MAX_VALUE, 61_000);
        encoder.onCommandCompleted(-1L, Long.MIN_VALUE, CommandStatus.OUT_OF_PORTS.id(), 0xCB00_7102, 0xFFFF);
        encoder.onMappingCreated(42L, 255, -7, 0, 0, 2, MappingKind.INBOUND.id());

        assertEquals(5, decoder.drain(listener, Integer.MAX_VALUE));

        assertEquals(
            List.of(
                "onMappingCreated " + Long.MAX_VALUE + " 6 " + 0xC0A8_0001 + " 65535 " + 0xCB00_7101 + " 1 1",
                "onMappingExpired " + Long.MIN_VALUE + " 17 " + Integer.MIN_VALUE + " 65535 -1 0",
                "onMappingRemoved 0 1 " + 0x0A00_0002 + " 4500 " + Integer.MAX_VALUE + " 61000",
                "onCommandCompleted -1 " + Long.MIN_VALUE + " 3 " + 0xCB00_7102 + " 65535",
                "onMappingCreated 42 255 -7 0 0 2 2"),
            listener.calls);
        assertEquals(0, decoder.unknownMessageCount());
        assertEquals(0, counters.get(GlobalCounter.EVENTS_DROPPED));
    }

    @Test
    void shouldRoundTripEveryFieldOfEverySessionEvent()
    {
        encoder.onSessionCreated(Long.MAX_VALUE, 6, 0xC0A8_0001, 0xFFFF, 0xCB00_7101, 1, 0xC633_6407, 443, 0x100);
        encoder.onSessionRefreshed(Long.MIN_VALUE, 17, Integer.MIN_VALUE, 65_535, -1, 0, Integer.MAX_VALUE, 0, 0x3);
        encoder.onSessionExpired(0L, 1, 0x0A00_0002, 4_500, Integer.MAX_VALUE, 61_000, -1, 65_535, 0x1F);
        encoder.onSessionRemoved(-1L, 6, 1, 2, 3, 4, 5, 6, -1);

        assertEquals(4, decoder.drain(listener, Integer.MAX_VALUE));

        assertEquals(
            List.of(
                "onSessionCreated " + Long.MAX_VALUE + " 6 " + 0xC0A8_0001 + " 65535 " + 0xCB00_7101 + " 1 " +
                    0xC633_6407 + " 443 256",
                "onSessionRefreshed " + Long.MIN_VALUE + " 17 " + Integer.MIN_VALUE + " 65535 -1 0 " +
                    Integer.MAX_VALUE + " 0 3",
                "onSessionExpired 0 1 " + 0x0A00_0002 + " 4500 " + Integer.MAX_VALUE + " 61000 -1 65535 31",
                "onSessionRemoved -1 6 1 2 3 4 5 6 -1"),
            listener.calls);
        assertEquals(0, decoder.unknownMessageCount());
    }

    @Test
    void shouldDropAndCountEventsWhenEventRingIsFullWithoutBlocking()
    {
        // 1024 bytes hold 25 mapping events of 32 bytes with their 8-byte headers.
        for (int i = 0; i < 30; i++)
        {
            encoder.onMappingExpired(i, 17, 1, 2, 3, 4);
        }

        assertEquals(5, counters.get(GlobalCounter.EVENTS_DROPPED));
        assertEquals(25, decoder.drain(listener, Integer.MAX_VALUE));
        assertEquals("onMappingExpired 24 17 1 2 3 4", listener.calls.get(24));

        encoder.onMappingExpired(100, 17, 1, 2, 3, 4);
        assertEquals(1, decoder.drain(listener, Integer.MAX_VALUE));
        assertEquals(5, counters.get(GlobalCounter.EVENTS_DROPPED));
    }

    @Test
    void shouldDrainAtMostLimitEventsInEmitOrder()
    {
        for (int i = 0; i < 5; i++)
        {
            encoder.onMappingRemoved(i, 6, 1, 2, 3, 4);
        }

        assertEquals(2, decoder.drain(listener, 2));
        assertEquals(3, decoder.drain(listener, 10));
        assertEquals(0, decoder.drain(listener, 10));
        for (int i = 0; i < 5; i++)
        {
            assertEquals("onMappingRemoved " + i + " 6 1 2 3 4", listener.calls.get(i));
        }
    }
}
