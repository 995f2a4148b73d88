package io.natgate.control.firewall;

import io.natgate.datapath.nat.Ipv4Protocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.natgate.control.firewall.FirewallHarness.REMOTE;
import static io.natgate.control.firewall.FirewallHarness.address;
import static io.natgate.control.firewall.FirewallHarness.allowIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bounded stress test: threads open sessions and mappings, check access and close them for clients of
 * their own while another lists sessions and drains denials. Nothing is lost or left behind.
 */
class FirewallConcurrencyTest
{
    private static final int THREADS = 8;
    private static final int ROUNDS = 250;

    @Test
    @Timeout(60)
    void shouldLoseNoSessionEventNorLeaveAMappingBehindUnderConcurrentUse() throws InterruptedException
    {
        final FirewallHarness harness = new FirewallHarness(List.of(allowIn("web-in", "tcp", 0)));
        final Firewall firewall = harness.firewall;
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final String client = "10.0.0." + (10 + t);
            threads.add(Thread.ofPlatform().start(() -> run(start, failure, () ->
            {
                for (int round = 0; round < ROUNDS; round++)
                {
                    final FirewallSession session = round % 2 == 0 ?
                        firewall.createPrivateSession(address(client), null, new AuthenticatedUser("u" + round)) :
                        firewall.getClientSession(address(client, round));
                    session.openInboundMapping(Ipv4Protocols.TCP, 1000 + round % 7, 0, null, null);
                    assertTrue(session.checkInbound(Ipv4Protocols.TCP, address(REMOTE, 4000), 80).allowed());
                    session.close();
                }
            })));
        }
        final Thread observer = Thread.ofPlatform().start(() -> run(start, failure, () ->
        {
            while (running.get())
            {
                firewall.sessions().forEach(FirewallSession::inboundMappings);
                firewall.pollDenials(100);
            }
        }));
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        running.set(false);
        observer.join();

        assertNull(failure.get());
        assertEquals(0, harness.engine.mappingCount(), "every mapping closed with its session");
        final List<FirewallHarness.SessionEvent> events = harness.events.sessions;
        assertEquals(2 * THREADS * ROUNDS, events.size());
        final Set<Long> opened = new HashSet<>();
        final Set<Long> closed = new HashSet<>();
        for (final FirewallHarness.SessionEvent event : events)
        {
            assertTrue((event.opened() ? opened : closed).add(event.sessionId()), "once each: " + event);
        }
        assertEquals(opened, closed);
        assertEquals(THREADS * ROUNDS, opened.size());
        assertTrue(firewall.sessions().stream().allMatch(FirewallSession::isTerminated));
    }

    @Test
    @Timeout(60)
    void shouldKeepEachPrivateSessionsMappingsItsOwnWhenThreadsShareOneClientAddress() throws InterruptedException
    {
        final FirewallHarness harness = new FirewallHarness(List.of(allowIn("web-in", "tcp", 0)));
        final Firewall firewall = harness.firewall;
        final FirewallSession client = firewall.getClientSession(address(FirewallHarness.CLIENT));
        client.openInboundMapping(Ipv4Protocols.TCP, 80, 0, null, null);
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final int port = 2000 + t;
            final AuthenticatedUser user = new AuthenticatedUser("user" + t);
            threads.add(Thread.ofPlatform().start(() -> run(start, failure, () ->
            {
                for (int round = 0; round < ROUNDS; round++)
                {
                    final FirewallSession session =
                        firewall.createPrivateSession(address(FirewallHarness.CLIENT), null, user);
                    session.openInboundMapping(Ipv4Protocols.TCP, port, 0, null, null);
                    assertEquals(List.of(port), session.inboundMappings().stream().map(InboundMapping::insidePort).toList());
                    session.close();
                }
            })));
        }
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join();
        }

        assertNull(failure.get());
        assertEquals(List.of(client), firewall.sessions().stream().filter(s -> !s.isTerminated()).toList());
        assertEquals(1, harness.engine.mappingCount(), "the client session's mapping alone is left");
        for (int i = 0; i < Firewall.MAX_PRIVATE_SESSIONS_PER_CLIENT; i++)
        {
            firewall.createPrivateSession(address(FirewallHarness.CLIENT), null, null); // the count went back to 0
        }
    }

    private static void run(final CountDownLatch start, final AtomicReference<Throwable> failure, final Runnable work)
    {
        try
        {
            start.await();
            work.run();
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
    }
}
