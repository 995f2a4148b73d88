package io.natgate.control.cp;

import io.natgate.control.config.Ipv4Prefix;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A platform over a {@link FakeDatapath}, with its events and reported errors recorded, no
 * background timeout checker unless the test configures one, and a short wait at close for
 * providers that do not deregister on shutdown.
 */
final class CpHarness implements AutoCloseable
{
    static final Ipv4Prefix TEST_NET_1 = Ipv4Prefix.parseNetwork("192.0.2.0/24");
    static final Ipv4Prefix BENCHMARK_NET = Ipv4Prefix.parseNetwork("198.18.0.0/15");

    final FakeDatapath datapath;
    final RecordingEvents events = new RecordingEvents();
    final Errors errors = new Errors();
    final ConnectivityPlatform platform;

    CpHarness()
    {
        this(2, config -> config);
    }

    CpHarness(final int slots, final UnaryOperator<PlatformConfig> config)
    {
        datapath = new FakeDatapath(slots);
        platform = new ConnectivityPlatform(
            config.apply(new PlatformConfig().timeoutCheckIntervalNs(0).errorHandler(errors::add)
                .shutdownTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100))), datapath, events);
    }

    /**
     * @return a created, registered instance once it is active.
     */
    ProviderInstance active(final TestProvider provider, final String context)
    {
        final ProviderInstance instance = platform.createInstance(provider, context);
        assertEquals(RegisterStatus.REGISTERED, platform.register(instance, RegisterOptions.defaults()).status());
        awaitState(instance, InstanceState.ACTIVE);
        return instance;
    }

    /**
     * @return an active instance with a route installed for the prefix.
     */
    ProviderInstance routed(final TestProvider provider, final Ipv4Prefix prefix)
    {
        final ProviderInstance instance = active(provider, "routed");
        assertEquals(RouteStatus.INSTALLED, Await.done(platform.addRoute(instance, prefix)));
        return instance;
    }

    void awaitState(final ProviderInstance instance, final InstanceState state)
    {
        Await.until(instance + " is " + state, () -> platform.state(instance) == state);
    }

    public void close()
    {
        platform.close();
    }

    /**
     * What a platform reported to its error handler.
     */
    static final class Errors extends CopyOnWriteArrayList<Throwable>
    {
    }
}
