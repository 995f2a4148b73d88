package io.natgate.datapath.pipeline;

import io.natgate.datapath.ConfigurationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineConfigTest
{
    @Test
    void shouldAcceptTheDefaults()
    {
        final PipelineConfig config = new PipelineConfig().validate();

        assertEquals(PipelineConfig.RX_RING_CAPACITY_DEFAULT, config.rxRingCapacity());
        assertEquals(PipelineConfig.BURST_SIZE_DEFAULT, config.burstSize());
        assertEquals(PipelineConfig.MAX_FRAME_LENGTH_DEFAULT, config.maxFrameLength());
        assertEquals(ThreadingMode.DEDICATED, config.threadingMode());
        assertInstanceOf(BackoffIdleStrategy.class, config.newIdleStrategy());
    }

    @Test
    void shouldKeepWhatTheSettersSetAndRefuseAnyChangeOnceValidated()
    {
        final PipelineConfig config = new PipelineConfig()
            .rxRingCapacity(256 * 1024)
            .burstSize(64)
            .maxFrameLength(9216)
            .threadingMode(ThreadingMode.SHARED_NETWORK)
            .validate();

        assertEquals(256 * 1024, config.rxRingCapacity());
        assertEquals(64, config.burstSize());
        assertEquals(9216, config.maxFrameLength());
        assertEquals(ThreadingMode.SHARED_NETWORK, config.threadingMode());
        assertTrue(config.isValidated());
        assertThrows(IllegalStateException.class, () -> config.burstSize(32));
        assertEquals(64, config.burstSize());
        assertEquals(config, config.validate());
    }

    @Test
    void shouldCreateEachNamedIdleStrategyAfreshForEachRunner()
    {
        assertInstanceOf(BusySpinIdleStrategy.class, new PipelineConfig().idleStrategy("busy-spin").newIdleStrategy());
        assertInstanceOf(YieldingIdleStrategy.class, new PipelineConfig().idleStrategy("yielding").newIdleStrategy());
        assertInstanceOf(NoOpIdleStrategy.class, new PipelineConfig().idleStrategy("noop").newIdleStrategy());
        assertInstanceOf(SleepingIdleStrategy.class, new PipelineConfig().idleStrategy("sleeping:1000").newIdleStrategy());
        final PipelineConfig config = new PipelineConfig().idleStrategy("backoff");
        assertNotSame(config.newIdleStrategy(), config.newIdleStrategy());
    }

    @Test
    void shouldRejectRingCapacityThatIsNotAPowerOfTwoNamingKeyAndValue()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> new PipelineConfig().txRingCapacity(100_000).validate());

        assertEquals("natgate.pipeline.tx.ring.capacity", ex.key());
        assertEquals("100000", ex.value());
        assertTrue(ex.getMessage().startsWith("natgate.pipeline.tx.ring.capacity=100000: "), ex.getMessage());
    }

    @Test
    void shouldRejectRxRingTooSmallForTheLargestFrame()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class,
            () -> new PipelineConfig().maxFrameLength(9216).rxRingCapacity(64 * 1024).validate());

        assertEquals("natgate.pipeline.rx.ring.capacity", ex.key());
        assertTrue(ex.getMessage().contains("natgate.pipeline.frame.max.length=9216"), ex.getMessage());
    }

    @Test
    void shouldRejectBurstSizeOutsideItsRange()
    {
        assertEquals("natgate.pipeline.burst.size",
            assertThrows(ConfigurationException.class, () -> new PipelineConfig().burstSize(0).validate()).key());
        assertEquals("natgate.pipeline.burst.size",
            assertThrows(ConfigurationException.class, () -> new PipelineConfig().burstSize(4096).validate()).key());
    }

    @Test
    void shouldRejectUnknownIdleStrategyNamingKeyAndValue()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> new PipelineConfig().idleStrategy("spinning").validate());

        assertEquals("natgate.pipeline.idle.strategy", ex.key());
        assertEquals("spinning", ex.value());
        assertThrows(ConfigurationException.class, () -> new PipelineConfig().idleStrategy("sleeping:soon").validate());
        assertThrows(ConfigurationException.class, () -> new PipelineConfig().idleStrategy("sleeping:0").validate());
    }

    @Test
    void shouldAcceptSeveralWorkersRunningToCompletionOrNotAndRefuseNone()
    {
        assertEquals(2, new PipelineConfig().workers(2).validate().workers());
        assertEquals(2, new PipelineConfig().workers(2).threadingMode(ThreadingMode.RUN_TO_COMPLETION).validate()
            .workers());

        final ConfigurationException none = assertThrows(
            ConfigurationException.class, () -> new PipelineConfig().workers(0).validate());
        assertEquals("natgate.pipeline.workers", none.key());
        assertEquals("0", none.value());
    }
}
