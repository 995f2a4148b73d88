package io.natgate.control.cp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Register's parameters: friendly name (default, suffixed on a clash, truncated), interface id from
 * an earlier session, flags, security descriptor; and its failures.
 */
class RegistrationTest
{
    private final CpHarness cp = new CpHarness(4, config -> config);
    private final ConnectivityPlatform platform = cp.platform;

    @AfterEach
    void close()
    {
        cp.close();
    }

    private Registration register(final RegisterOptions options)
    {
        return platform.register(platform.createInstance(new TestProvider(), "ctx"), options);
    }

    @Test
    void shouldNameInterfaceConnectivityPlatformAdapterNByDefault()
    {
        final ProviderInstance first = platform.createInstance(new TestProvider(), "ctx");
        assertEquals("Connectivity Platform Adapter #1", platform.register(first, RegisterOptions.defaults()).friendlyName());
        assertEquals("Connectivity Platform Adapter #2", register(RegisterOptions.defaults().friendlyName("")).friendlyName());
        cp.awaitState(first, InstanceState.ACTIVE);
        platform.deregister(first);

        assertEquals("Connectivity Platform Adapter #1", register(RegisterOptions.defaults()).friendlyName(),
            "the lowest number free");
    }

    @Test
    void shouldAddNumericSuffixToClashingFriendlyName()
    {
        assertEquals("vxlan", register(RegisterOptions.defaults().friendlyName("vxlan")).friendlyName());
        assertEquals("vxlan #2", register(RegisterOptions.defaults().friendlyName("vxlan")).friendlyName());
        assertEquals("VXLAN #3", register(RegisterOptions.defaults().friendlyName("VXLAN")).friendlyName(),
            "names compare ignoring case");
        assertEquals("wan #2", register(RegisterOptions.defaults().friendlyName("wan")).friendlyName(),
            "the datapath's own port names are taken");
    }

    @Test
    void shouldTruncateOverLongFriendlyName()
    {
        final String longName = "t".repeat(300);
        final String registered = register(RegisterOptions.defaults().friendlyName(longName)).friendlyName();
        assertEquals("t".repeat(RegisterOptions.MAX_FRIENDLY_NAME_LENGTH), registered);

        final String clashing = register(RegisterOptions.defaults().friendlyName(longName)).friendlyName();
        assertEquals("t".repeat(RegisterOptions.MAX_FRIENDLY_NAME_LENGTH - 3) + " #2", clashing, "suffix fits the limit");

        final String emoji = "e".repeat(RegisterOptions.MAX_FRIENDLY_NAME_LENGTH - 1) + "\uD83D\uDE00";
        assertEquals("e".repeat(RegisterOptions.MAX_FRIENDLY_NAME_LENGTH - 1),
            register(RegisterOptions.defaults().friendlyName(emoji)).friendlyName(), "never half a surrogate pair");
    }

    @Test
    void shouldKeepInterfaceIdAndNameFromEarlierSession()
    {
        final ProviderInstance instance = platform.createInstance(new TestProvider(), "ctx");
        final Registration first = platform.register(instance, RegisterOptions.defaults().friendlyName("tunnel"));
        cp.awaitState(instance, InstanceState.ACTIVE);
        platform.deregister(instance);
        platform.destroy(instance);

        final Registration later = register(RegisterOptions.defaults().interfaceId(first.interfaceId()));

        assertEquals(RegisterStatus.REGISTERED, later.status());
        assertEquals(first.interfaceId(), later.interfaceId());
        assertEquals("tunnel", later.friendlyName());
        assertTrue(register(RegisterOptions.defaults()).interfaceId() != first.interfaceId(), "a new interface");
    }

    @Test
    void shouldRefuseUnknownOrInUseInterfaceId()
    {
        final Registration registered = register(RegisterOptions.defaults());

        assertEquals(RegisterStatus.UNKNOWN_INTERFACE_ID, register(RegisterOptions.defaults().interfaceId(999)).status());
        assertEquals(RegisterStatus.INTERFACE_ID_IN_USE,
            register(RegisterOptions.defaults().interfaceId(registered.interfaceId())).status());
    }

    @Test
    void shouldRefuseReservedFlagsAndListSecurityDescriptor()
    {
        final IllegalArgumentException flags = assertThrows(IllegalArgumentException.class,
            () -> register(RegisterOptions.defaults().flags(0x4)));
        assertTrue(flags.getMessage().contains("flags"), flags.getMessage());
        assertThrows(IllegalArgumentException.class, () -> register(RegisterOptions.defaults().securityDescriptor(" ")));

        register(RegisterOptions.defaults().flags(RegisterOptions.FLAGS_NONE).securityDescriptor("D:(A;;GA;;;BA)"));

        assertEquals("D:(A;;GA;;;BA)", platform.instances().get(2).securityDescriptor());
    }

    @Test
    void shouldRefuseRegistrationWhenEveryInterfaceIsInUse()
    {
        for (int slot = 0; slot < 4; slot++)
        {
            assertEquals(RegisterStatus.REGISTERED, register(RegisterOptions.defaults()).status());
        }
        final Registration refused = register(RegisterOptions.defaults());
        assertEquals(RegisterStatus.NO_FREE_INTERFACE, refused.status());
        assertEquals(0, refused.interfaceId());
    }
}
