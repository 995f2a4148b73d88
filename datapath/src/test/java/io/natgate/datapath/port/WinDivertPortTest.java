package io.natgate.datapath.port;

import io.natgate.bindings.NativeLibraryUnavailableException;
import io.natgate.bindings.OperatingSystem;
import io.natgate.bindings.windivert.WinDivertOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WinDivertPortTest
{
    @Test
    void shouldFailWithClearMessageWhenOpenedOffWindows()
    {
        assumeTrue(OperatingSystem.current() != OperatingSystem.WINDOWS);

        final NativeLibraryUnavailableException ex = assertThrows(NativeLibraryUnavailableException.class,
            () -> WinDivertPort.open("wan", new WinDivertOptions().filter("ip and inbound"), 1500, true, 7, 0));

        assertTrue(ex.getMessage().startsWith("WinDivert is Windows-only"), ex.getMessage());
    }

    @Test
    void shouldRejectMtuAboveBatchSlotNamingTheSetting()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> WinDivertPort.open("wan", new WinDivertOptions().maxPacketLength(1500), 9000, true, 7, 0));

        assertTrue(ex.getMessage().contains("mtu=9000"), ex.getMessage());
    }
}
