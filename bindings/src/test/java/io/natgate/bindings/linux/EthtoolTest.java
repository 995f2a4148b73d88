package io.natgate.bindings.linux;

import io.natgate.bindings.testing.VethLabExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GRO and LRO through the ethtool ioctl on a veth pair of the test's own namespace, checked
 * against what the {@code ethtool} tool reads.
 */
class EthtoolTest
{
    @RegisterExtension
    static final VethLabExtension LAB = new VethLabExtension();

    @Test
    void shouldTurnGroOnAndOffAsEthtoolSeesIt()
    {
        final String end = LAB.lab().endA();
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            Ethtool.gro(end, true);
            assertTrue(Ethtool.gro(end));
            assertTrue(groLine(end).contains("generic-receive-offload: on"), groLine(end));

            Ethtool.gro(end, false);
            assertFalse(Ethtool.gro(end));
            assertTrue(groLine(end).contains("generic-receive-offload: off"), groLine(end));
        }
    }

    @Test
    void shouldReadLroOffOnAVethWhichHasNone()
    {
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            assertFalse(Ethtool.lro(LAB.lab().endA()));
        }
    }

    @Test
    void shouldFailWithEnodevForAnUnknownInterface()
    {
        try (NetworkNamespace.Scope ignored = NetworkNamespace.enter(LAB.lab().namespace()))
        {
            final LinuxException refused = assertThrows(LinuxException.class, () -> Ethtool.gro("nosuch0"));
            assertEquals(LibC.ENODEV, refused.errno());
        }
    }

    private static String groLine(final String end)
    {
        return LAB.lab().exec("ethtool", "-k", end).lines().filter(line -> line.startsWith("generic-receive-offload"))
            .findFirst().orElse("no generic-receive-offload line");
    }
}
