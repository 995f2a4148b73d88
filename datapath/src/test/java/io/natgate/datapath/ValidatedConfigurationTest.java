package io.natgate.datapath;

import io.natgate.datapath.nat.FilteringMode;
import io.natgate.datapath.nat.NatConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidatedConfigurationTest
{
    private static final int PUBLIC_ADDRESS = 0xCB007101; // 203.0.113.1

    @Test
    void shouldStayChangeableUntilValidated()
    {
        final NatConfig config = new NatConfig().publicAddresses(PUBLIC_ADDRESS).maxSessions(1000);

        assertFalse(config.isValidated());
        config.maxSessions(2000);
        assertEquals(2000, config.maxSessions());
    }

    @Test
    void shouldRefuseEverySetterOnceValidatedAndKeepTheValidatedValues()
    {
        final NatConfig config = new NatConfig().publicAddresses(PUBLIC_ADDRESS).maxSessions(1000).validate();

        assertTrue(config.isValidated());
        assertThrows(IllegalStateException.class, () -> config.maxSessions(5));
        assertThrows(IllegalStateException.class, () -> config.filtering(FilteringMode.ENDPOINT_INDEPENDENT));
        assertThrows(IllegalStateException.class, () -> config.publicAddresses(PUBLIC_ADDRESS + 1));
        assertEquals(1000, config.maxSessions());
    }

    @Test
    void shouldNotFreezeAConfigurationThatFailedValidation()
    {
        final NatConfig config = new NatConfig().publicAddresses(PUBLIC_ADDRESS).maxSessions(-1);

        assertThrows(ConfigurationException.class, config::validate);
        assertFalse(config.isValidated());
        config.maxSessions(1000);
        assertTrue(config.validate().isValidated());
    }

    @Test
    void shouldGiveEachWorkerAChangeableShareOfAValidatedConfiguration()
    {
        final NatConfig whole = new NatConfig().publicAddresses(PUBLIC_ADDRESS).maxSessions(1000).validate();

        final NatConfig share = whole.forWorker(1, 2);

        assertEquals(500, share.maxSessions());
        assertFalse(share.isValidated());
        share.maxSessions(400);
        assertEquals(400, share.maxSessions());
        assertEquals(1000, whole.maxSessions());
    }
}
