package io.natgate.datapath.pipeline;

import io.natgate.datapath.ConfigurationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

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
        final PipelineConfig config = new PipelineConfig().conclude();

        assertEquals(PipelineConfig.RX_RING_CAPACITY_DEFAULT, config.rxRingCapacity());
        assertEquals(PipelineConfig.BURST_SIZE_DEFAULT, config.burstSize());
        assertEquals(PipelineConfig.MAX_FRAME_LENGTH_DEFAULT, config.maxFrameLength());
        assertEquals(ThreadingMode.DEDICATED, config.threadingMode());
        assertInstanceOf(BackoffIdleStrategy.class, config.newIdleStrategy());
    }

    @Test
    void shouldReadPipelineSettingsFromPropertiesAndIgnoreOtherModules()
    {
        final Properties properties = new Properties();
        properties.setProperty("natgate.pipeline.rx.ring.capacity", "256k");
        properties.setProperty("natgate.pipeline.tx.ring.capacity", "131072");
        properties.setProperty("natgate.pipeline.command.ring.capacity", "4k");
        properties.setProperty("natgate.pipeline.event.ring.capacity", "2m");
        properties.setProperty("natgate.pipeline.burst.size", " 64 ");
        properties.setProperty("natgate.pipeline.command.limit", "8");
        properties.setProperty("natgate.pipeline.frame.max.length", "9216");
        properties.setProperty("natgate.pipeline.idle.strategy", "sleeping:100us");
        properties.setProperty("natgate.pipeline.workers", "1");
        properties.setProperty("natgate.pipeline.threading", "shared-network");
        properties.setProperty("natgate.nat.sessions", "1000000");

        final PipelineConfig config = PipelineConfig.fromProperties(properties).conclude();

        assertEquals(256 * 1024, config.rxRingCapacity());
        assertEquals(131072, config.txRingCapacity());
        assertEquals(4096, config.commandRingCapacity());
        assertEquals(2 * 1024 * 1024, config.eventRingCapacity());
        assertEquals(64, config.burstSize());
        assertEquals(8, config.commandLimit());
        assertEquals(9216, config.maxFrameLength());
        assertEquals(ThreadingMode.SHARED_NETWORK, config.threadingMode());
        assertInstanceOf(SleepingIdleStrategy.class, config.newIdleStrategy());
        assertTrue(config.newIdleStrategy().toString().contains("sleepPeriodNs=100000"), config.newIdleStrategy().toString());
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
            ConfigurationException.class, () -> new PipelineConfig().txRingCapacity(100_000).conclude());

        assertEquals("natgate.pipeline.tx.ring.capacity", ex.key());
        assertEquals("100000", ex.value());
        assertTrue(ex.getMessage().startsWith("natgate.pipeline.tx.ring.capacity=100000: "), ex.getMessage());
    }

    @Test
    void shouldRejectRxRingTooSmallForTheLargestFrame()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class,
            () -> new PipelineConfig().maxFrameLength(9216).rxRingCapacity(64 * 1024).conclude());

        assertEquals("natgate.pipeline.rx.ring.capacity", ex.key());
        assertTrue(ex.getMessage().contains("natgate.pipeline.frame.max.length=9216"), ex.getMessage());
    }

    @Test
    void shouldRejectBurstSizeOutsideItsRange()
    {
        assertEquals("natgate.pipeline.burst.size",
            assertThrows(ConfigurationException.class, () -> new PipelineConfig().burstSize(0).conclude()).key());
        assertEquals("natgate.pipeline.burst.size",
            assertThrows(ConfigurationException.class, () -> new PipelineConfig().burstSize(4096).conclude()).key());
    }

    @Test
    void shouldRejectUnknownIdleStrategyNamingKeyAndValue()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> new PipelineConfig().idleStrategy("spinning").conclude());

        assertEquals("natgate.pipeline.idle.strategy", ex.key());
        assertEquals("spinning", ex.value());
        assertThrows(ConfigurationException.class, () -> new PipelineConfig().idleStrategy("sleeping:soon").conclude());
        assertThrows(ConfigurationException.class, () -> new PipelineConfig().idleStrategy("sleeping:0").conclude());
    }

    @Test
    void shouldRejectMoreThanOneWorker()
    {
        final ConfigurationException ex = assertThrows(
            ConfigurationException.class, () -> PipelineConfig.fromMap(Map.of("natgate.pipeline.workers", "2")).conclude());

        assertEquals("natgate.pipeline.workers", ex.key());
        assertEquals("2", ex.value());
    }

    @Test
    void shouldRejectUnknownPipelineKeyAndUnparseableValues()
    {
        final ConfigurationException unknown = assertThrows(
            ConfigurationException.class, () -> PipelineConfig.fromMap(Map.of("natgate.pipeline.burst", "32")));
        assertEquals("natgate.pipeline.burst", unknown.key());

        final ConfigurationException notANumber = assertThrows(
            ConfigurationException.class, () -> PipelineConfig.fromMap(Map.of("natgate.pipeline.burst.size", "lots")));
        assertEquals("natgate.pipeline.burst.size=lots: not an integer", notANumber.getMessage());

        final ConfigurationException notASize = assertThrows(
            ConfigurationException.class,
            () -> PipelineConfig.fromMap(Map.of("natgate.pipeline.rx.ring.capacity", "big")));
        assertEquals("big", notASize.value());

        final ConfigurationException mode = assertThrows(
            ConfigurationException.class, () -> PipelineConfig.fromMap(Map.of("natgate.pipeline.threading", "many")));
        assertEquals("natgate.pipeline.threading", mode.key());
    }
}
