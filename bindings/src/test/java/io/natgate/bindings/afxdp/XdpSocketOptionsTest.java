package io.natgate.bindings.afxdp;

import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Bad AF_XDP settings are refused before anything is opened, naming the setting and its value.
 */
class XdpSocketOptionsTest
{
    private static final int PAGE_SIZE = 4096;

    @Test
    void shouldAcceptDefaults()
    {
        final XdpSocketOptions options = new XdpSocketOptions().interfaceName("eth0").validate(PAGE_SIZE);

        assertEquals(2048 - 256, options.maxFrameLength());
        assertEquals(4096, options.framesPerSocket());
    }

    @Test
    void shouldCopyEverySettingSoTheCopyChangesAlone()
    {
        final XdpSocketOptions options = new XdpSocketOptions().interfaceName("eth3").queueId(5).frameSizeBytes(4096)
            .umemFrameCount(999).rxRingSize(64).txRingSize(128).fillRingSize(256).completionRingSize(512)
            .mode(XdpMode.COPY).attach(XdpAttach.SKB);

        final XdpSocketOptions copy = options.copy();
        copy.queueId(6);

        assertEquals("XdpSocketOptions{interfaceName=eth3, queueId=6, frameSizeBytes=4096, umemFrameCount=999, " +
            "rxRingSize=64, txRingSize=128, fillRingSize=256, completionRingSize=512, mode=copy, attach=skb}",
            copy.toString());
        assertEquals(5, options.queueId());
    }

    @Test
    void shouldRefuseFrameSizeThatIsNotPowerOfTwoUpToPageSize()
    {
        assertRefused(o -> o.frameSizeBytes(3000),
            "frameSizeBytes must be a power of two from 2048 to the page size 4096: frameSizeBytes=3000");
        assertRefused(o -> o.frameSizeBytes(8192),
            "frameSizeBytes must be a power of two from 2048 to the page size 4096: frameSizeBytes=8192");
        assertRefused(o -> o.frameSizeBytes(1024),
            "frameSizeBytes must be a power of two from 2048 to the page size 4096: frameSizeBytes=1024");
    }

    @Test
    void shouldRefuseRingSizesThatAreNotPowersOfTwo()
    {
        assertRefused(o -> o.rxRingSize(1000), "rxRingSize must be a power of two from 64 to 65536: rxRingSize=1000");
        assertRefused(o -> o.txRingSize(32), "txRingSize must be a power of two from 64 to 65536: txRingSize=32");
        assertRefused(o -> o.fillRingSize(3 << 10), "fillRingSize must be a power of two from 64 to 65536: fillRingSize=3072");
        assertRefused(o -> o.completionRingSize(1 << 17),
            "completionRingSize must be a power of two from 64 to 65536: completionRingSize=131072");
    }

    @Test
    void shouldRefuseTxRingLargerThanCompletionRing()
    {
        assertRefused(o -> o.txRingSize(1024).completionRingSize(512),
            "txRingSize must be <= completionRingSize 512: txRingSize=1024");
    }

    @Test
    void shouldRefuseUmemTooSmallForItsSockets()
    {
        assertRefused(o -> o.umemFrameCount(4000),
            "umemFrameCount must hold fillRingSize + txRingSize frames for each of 1 socket(s), 4096: umemFrameCount=4000");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> new XdpSocketOptions().interfaceName("eth0").validate(PAGE_SIZE, 3));
        assertEquals("umemFrameCount must hold fillRingSize + txRingSize frames for each of 3 socket(s), 12288: " +
            "umemFrameCount=4096", ex.getMessage());
    }

    @Test
    void shouldRefuseBadInterfaceNameAndQueue()
    {
        assertRefused(o -> o.interfaceName(""), "interfaceName must be 1..15 characters: interfaceName=");
        assertRefused(o -> o.interfaceName("a-very-long-interface"),
            "interfaceName must be 1..15 characters: interfaceName=a-very-long-interface");
        assertRefused(o -> o.queueId(-1), "queueId must be >= 0: queueId=-1");
    }

    @Test
    void shouldNameModesAsConfigurationDoes()
    {
        assertEquals(XdpMode.ZERO_COPY, XdpMode.byConfigName("zero-copy"));
        assertEquals(XdpMode.COPY, XdpMode.byConfigName("copy"));
        assertEquals(XdpAttach.SKB, XdpAttach.byConfigName("skb"));
        assertEquals(null, XdpMode.byConfigName("fast"));
    }

    private static void assertRefused(final Consumer<XdpSocketOptions> customise, final String message)
    {
        final XdpSocketOptions options = new XdpSocketOptions().interfaceName("eth0");
        customise.accept(options);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> options.validate(PAGE_SIZE));
        assertEquals(message, ex.getMessage());
    }
}
