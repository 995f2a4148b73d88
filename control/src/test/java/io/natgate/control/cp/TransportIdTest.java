package io.natgate.control.cp;

import io.natgate.datapath.frame.PacketBuilder;
import io.natgate.datapath.nat.Ipv4;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static io.natgate.control.cp.CpHarness.TEST_NET_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportIdTest
{
    private final CpHarness cp = new CpHarness();

    @AfterEach
    void close()
    {
        cp.close();
    }

    @Test
    void shouldMakeTransportIdsOnlyInThePlatform()
    {
        for (final Constructor<?> constructor : TransportId.class.getDeclaredConstructors())
        {
            assertTrue(Modifier.isPrivate(constructor.getModifiers()), constructor.toString());
        }
        for (final Method method : TransportId.class.getDeclaredMethods())
        {
            assertFalse(Modifier.isPublic(method.getModifiers()) && Modifier.isStatic(method.getModifiers()) &&
                method.getReturnType() == TransportId.class, "a public factory: " + method);
        }
    }

    @Test
    void shouldHandOutDefensiveCopiesOfTransportIdBytes()
    {
        final TransportId id = TransportId.ipv4(Ipv4.parse("192.0.2.0"), 24);
        final byte[] copy = id.toByteArray();
        copy[1] ^= (byte)0xFF;

        assertNotSame(copy, id.toByteArray());
        assertFalse(Arrays.equals(copy, id.toByteArray()));
        assertEquals(TransportId.ipv4(Ipv4.parse("192.0.2.0"), 24), id, "unchanged");
    }

    @Test
    void shouldCompareTransportIdsByteForByte()
    {
        final TransportId id = TransportId.ipv4(Ipv4.parse("192.0.2.0"), 24);
        final TransportId same = TransportId.ipv4(Ipv4.parse("192.0.2.0"), 24);
        final byte[] shipped = new byte[3 + id.length()];
        System.arraycopy(id.toByteArray(), 0, shipped, 3, id.length());

        assertEquals(same, id);
        assertEquals(same.hashCode(), id.hashCode());
        assertNotEquals(TransportId.ipv4(Ipv4.parse("192.0.2.0"), 25), id);
        assertTrue(id.contentEquals(shipped, 3, id.length()), "an id shipped to a peer and back");
        assertFalse(id.contentEquals(shipped, 2, id.length()));
        assertEquals(id.length(), id.toString().length() / 2, "hex");
        for (int i = 0; i < id.length(); i++)
        {
            assertEquals(id.toByteArray()[i], id.byteAt(i));
        }
    }

    @Test
    void shouldGiveProviderTheSameLocalTransportIdOnEveryCall()
    {
        final TestProvider provider = new TestProvider();
        final ProviderInstance instance = cp.routed(provider, TEST_NET_1);
        final TransportId local = provider.addedTransportIds.get(0);
        final TransportId remote = provider.reachedTransportIds.get(0);

        assertNotEquals(local, remote);
        assertEquals(ReceiveStatus.ACCEPTED, cp.platform.indicateReceivedBuffers(instance,
            TransportId.ipv4(FakeDatapath.FIRST_LOCAL_ADDRESS, 32), remote, ByteBuffer.wrap(
                PacketBuilder.udp(Ipv4.parse("192.0.2.5"), 53, Ipv4.parse("203.0.113.1"), 4000, new byte[1]))),
            "an equal id made apart is the same id");
    }
}
