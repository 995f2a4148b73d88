package io.natgate.control.journal;

import io.natgate.control.config.JournalConfig;
import io.natgate.control.cp.ProviderEventListener;
import io.natgate.control.cp.TerminationReason;
import io.natgate.control.firewall.DenialReason;
import io.natgate.control.firewall.FirewallEventListener;
import io.natgate.control.firewall.SessionFlag;
import io.natgate.datapath.counters.DatapathCounters;
import io.natgate.datapath.counters.GlobalCounter;
import io.natgate.datapath.nat.Ipv4;
import io.natgate.datapath.nat.MappingKind;
import io.natgate.datapath.nat.NatConfig;
import io.natgate.datapath.nat.NatEngine;
import io.natgate.datapath.nat.NatEventListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live writer: NAT events on the event thread, provider and firewall events queued from others,
 * times turned from the datapath's clock into the epoch's, sessions only with destinations, mapping
 * refreshes at most once a minute, the ring's drops journaled as a loss.
 */
class JournalWriterTest
{
    static final long EPOCH_OFFSET_NS = 1_763_000_000_000_000_000L;
    static final int TCP = 6;
    static final int UDP = 17;
    static final int INSIDE = Ipv4.parse("10.0.0.2");
    static final int PUBLIC = Ipv4.parse("203.0.113.1");
    static final int REMOTE = Ipv4.parse("198.51.100.7");

    @TempDir
    Path directory;

    private long nowNs = 1_000;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);
    private final DatapathCounters counters = new DatapathCounters(2);

    JournalWriter open(final boolean destinations)
    {
        final JournalWriter writer = JournalWriter.open(new JournalConfig(directory, JournalConfig.RollCycle.DAILY,
            0, destinations), () -> nowNs, () -> nowNs + EPOCH_OFFSET_NS, log);
        writer.restore(new NatEngine(new NatConfig().publicAddresses(PUBLIC), NatEventListener.NONE, counters),
            new NatConfig(), List.of(), counters);
        return writer;
    }

    List<String> printed(final boolean json)
    {
        final StringWriter text = new StringWriter();
        try (Journal journal = Journal.openForReading(directory))
        {
            journal.read(new JournalPrinter(new PrintWriter(text, true), json, Long.MIN_VALUE, Long.MAX_VALUE,
                List.of()), 0, Journal.Until.END, null);
        }
        return text.toString().lines().map(line -> line.replaceFirst("pid=\\d+", "pid=P")).toList();
    }

    @Test
    void shouldJournalEveryKindOfEventWithEpochTimesInTheOrderTheyWereWritten()
    {
        try (JournalWriter writer = open(true))
        {
            final NatEventListener nat = writer.natEvents();
            final ProviderEventListener providers = writer.providerEvents(ProviderEventListener.NONE);
            final FirewallEventListener firewall = writer.firewallEvents(FirewallEventListener.NONE);
            nat.onMappingCreated(2_000, UDP, INSIDE, 5000, PUBLIC, 5000, MappingKind.DYNAMIC.id());
            nat.onSessionCreated(2_000, UDP, INSIDE, 5000, PUBLIC, 5000, REMOTE, 53, 0);
            nat.onCommandCompleted(2_500, 7, 0, PUBLIC, 5000);
            providers.onInstanceRegistered(EPOCH_OFFSET_NS + 3_000, 1, 42, "Connectivity Platform Adapter #1");
            providers.onInstanceTerminated(EPOCH_OFFSET_NS + 3_000, 1, TerminationReason.PROVIDER_TIMEOUT);
            firewall.onSessionOpened(3_000, 9, SessionFlag.PRIVATE.bit(), INSIDE, 0, Ipv4.parse("10.0.0.1"), "alice");
            firewall.onFlowDenied(3_000, DenialReason.POLICY_RULES_DENIED, true, TCP, REMOTE, 4000, INSIDE, 22, "no-ssh",
                3);
            writer.doWork();
            nat.onSessionExpired(4_000, UDP, INSIDE, 5000, PUBLIC, 5000, REMOTE, 53, 0);
            nat.onMappingExpired(4_000, UDP, INSIDE, 5000, PUBLIC, 5000);
        }

        assertEquals(List.of(
            "2025-11-13T02:13:20.000001Z gateway-started pid=P destinations=journaled",
            "2025-11-13T02:13:20.000002Z mapping-created protocol=udp inside=10.0.0.2:5000 public=203.0.113.1:5000 " +
                "kind=dynamic",
            "2025-11-13T02:13:20.000002Z session-created protocol=udp inside=10.0.0.2:5000 public=203.0.113.1:5000 " +
                "remote=198.51.100.7:53 state=open",
            "2025-11-13T02:13:20.000003Z provider-registered instance=1 interface=42 " +
                "name=Connectivity_Platform_Adapter_#1",
            "2025-11-13T02:13:20.000003Z provider-terminated instance=1 reason=provider-timeout",
            "2025-11-13T02:13:20.000003Z firewall-session-opened session=9 kind=private client=10.0.0.2:0 " +
                "internal=10.0.0.1 user=alice",
            "2025-11-13T02:13:20.000003Z flow-denied direction=inbound protocol=tcp source=198.51.100.7:4000 " +
                "destination=10.0.0.2:22 reason=policy-rules-denied rule=no-ssh suppressedBefore=3",
            "2025-11-13T02:13:20.000004Z session-expired protocol=udp inside=10.0.0.2:5000 public=203.0.113.1:5000 " +
                "remote=198.51.100.7:53 state=open",
            "2025-11-13T02:13:20.000004Z mapping-expired protocol=udp inside=10.0.0.2:5000 public=203.0.113.1:5000"),
            printed(false));
    }

    @Test
    void shouldPrintJsonLinesWithNullForAnAnonymousUser()
    {
        try (JournalWriter writer = open(false))
        {
            writer.firewallEvents(FirewallEventListener.NONE)
                .onSessionOpened(3_000, 9, SessionFlag.NAT.bit(), INSIDE, 0, Ipv4.parse("10.0.0.1"), null);
            writer.doWork();
        }

        assertEquals("{\"time\":\"2025-11-13T02:13:20.000003Z\",\"timeNs\":" + (EPOCH_OFFSET_NS + 3_000) +
            ",\"type\":\"firewall-session-opened\",\"session\":9,\"kind\":\"client\",\"client\":\"10.0.0.2:0\"," +
            "\"internal\":\"10.0.0.1\",\"user\":null}", printed(true).getLast());
    }

    @Test
    void shouldJournalWhichFirewallSessionOpenedEachInboundMapping()
    {
        try (JournalWriter writer = open(false))
        {
            writer.firewallEvents(FirewallEventListener.NONE)
                .onInboundMappingOpened(3_000, 9, TCP, INSIDE, 3389, PUBLIC, 3390, REMOTE);
            writer.firewallEvents(FirewallEventListener.NONE)
                .onInboundMappingOpened(4_000, 10, UDP, INSIDE, 5060, PUBLIC, 5060, 0);
            writer.doWork();
        }

        assertEquals(List.of(
            "2025-11-13T02:13:20.000003Z firewall-mapping-opened session=9 protocol=tcp inside=10.0.0.2:3389 " +
                "public=203.0.113.1:3390 remote=198.51.100.7",
            "2025-11-13T02:13:20.000004Z firewall-mapping-opened session=10 protocol=udp inside=10.0.0.2:5060 " +
                "public=203.0.113.1:5060 remote=any"), printed(false).subList(1, 3));
    }

    @Test
    void shouldLeaveDestinationsOutUnlessConfiguredAndDeriveMappingRefreshesAtMostOncePerMinute()
    {
        final long second = 1_000_000_000L;
        try (JournalWriter writer = open(false))
        {
            final NatEventListener nat = writer.natEvents();
            nat.onMappingCreated(0, UDP, INSIDE, 5000, PUBLIC, 5000, MappingKind.DYNAMIC.id());
            nat.onSessionCreated(0, UDP, INSIDE, 5000, PUBLIC, 5000, REMOTE, 53, 0);
            nat.onSessionCreated(30 * second, UDP, INSIDE, 5000, PUBLIC, 5000, REMOTE, 54, 0);
            nat.onSessionRefreshed(61 * second, UDP, INSIDE, 5000, PUBLIC, 5000, REMOTE, 53, 0);
            nat.onSessionRefreshed(62 * second, UDP, INSIDE, 5000, PUBLIC, 5000, REMOTE, 54, 0);
            nat.onSessionRefreshed(125 * second, UDP, INSIDE, 5000, PUBLIC, 5000, REMOTE, 53, 0);
            nat.onSessionExpired(500 * second, UDP, INSIDE, 5000, PUBLIC, 5000, REMOTE, 53, 0);
        }

        final List<String> printed = printed(false);
        assertTrue(printed.stream().noneMatch(line -> line.contains("198.51.100.7")), printed.toString());
        assertEquals(List.of("2025-11-13T02:14:21.000000Z", "2025-11-13T02:15:25.000000Z"),
            printed.stream().filter(line -> line.contains("mapping-refreshed"))
                .map(line -> line.substring(0, line.indexOf(' '))).toList());
    }

    @Test
    void shouldJournalEventsTheFullRingDroppedAsALoss()
    {
        try (JournalWriter writer = open(false))
        {
            counters.add(GlobalCounter.EVENTS_DROPPED, 17);
            nowNs += 2_000_000_000L;
            writer.doWork();
        }

        assertEquals("2025-11-13T02:13:22.000001Z events-lost count=17 reason=event_ring_full", printed(false).getLast());
    }
}
