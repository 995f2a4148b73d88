package io.natgate.datapath.nat;

import io.natgate.datapath.counters.DropReason;
import io.natgate.datapath.testing.Packets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.natgate.datapath.nat.NatHarness.HOST_A;
import static io.natgate.datapath.nat.NatHarness.HOST_B;
import static io.natgate.datapath.nat.NatHarness.INSIDE;
import static io.natgate.datapath.nat.NatHarness.MINUTE_NS;
import static io.natgate.datapath.nat.NatHarness.PAYLOAD;
import static io.natgate.datapath.nat.NatHarness.REMOTE_1;
import static io.natgate.datapath.nat.NatHarness.SECOND_NS;
import static io.natgate.datapath.testing.Packets.ip;
import static io.natgate.datapath.testing.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every deadline (sessions, inbound mappings, held fragments) holds whatever the clock's origin:
 * {@code System.nanoTime()} may start anywhere, negative values and wrap-around included, so
 * deadlines are compared by subtraction and nothing may assume the clock starts at 0.
 */
class NatClockTest
{
    @ParameterizedTest(name = "clock origin {0}")
    @ValueSource(longs = {0L, 123_456_789_000L, -1_000_000_000_000_000_000L, Long.MAX_VALUE - 60_000_000_000L})
    void shouldExpireEverythingOnTimeWhateverTheClockOrigin(final long originNs)
    {
        final NatHarness nat = new NatHarness(
            NatHarness.config().udpTimeoutNs(2 * MINUTE_NS).fragmentTimeoutNs(5 * SECOND_NS));
        nat.out(udp(HOST_A, 5000, REMOTE_1, 53, PAYLOAD), originNs);
        nat.command(originNs, commands -> commands.openInboundMapping(1, 17, ip(HOST_B), 7000, 0, 0, 90 * SECOND_NS));
        final byte[] laterFragment = Packets.fragment(udp(HOST_B, 6000, REMOTE_1, 53, new byte[64]), 24)[1];
        assertEquals(NatEngine.HELD, nat.outbound(laterFragment, originNs));

        nat.expire(originNs + SECOND_NS);
        assertEquals(2, nat.engine.mappingCount());
        assertEquals(0, nat.counters.get(INSIDE, DropReason.FRAGMENT_TIMEOUT));

        nat.expire(originNs + 5 * SECOND_NS);
        assertEquals(1, nat.counters.get(INSIDE, DropReason.FRAGMENT_TIMEOUT), "held fragment timed out");

        nat.expire(originNs + 90 * SECOND_NS + 100_000_000L);
        assertEquals(1, nat.engine.mappingCount(), "inbound mapping expired, the UDP one not yet");

        nat.expire(originNs + 2 * MINUTE_NS - 1);
        assertEquals(1, nat.engine.sessionCount());
        nat.expire(originNs + 2 * MINUTE_NS);
        assertEquals(0, nat.engine.sessionCount());
        assertEquals(0, nat.engine.mappingCount());
    }
}
