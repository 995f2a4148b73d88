package io.natgate.control.ha;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.natgate.control.config.Ipv4Endpoint;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.SleepingIdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * The pair's streams over Aeron UDP unicast: this gateway subscribes on its end of the link and publishes to the
 * peer's; heartbeats have a stream of their own, so a record the standby cannot take yet (its command ring full)
 * never holds up the news that the active is alive; with {@code ha.heartbeatLink} they also go over that second
 * path, on the same stream id. By default it runs its own media driver (shared threading, sleeping when idle) in the configured Aeron
 * directory, which it owns: the directory is wiped at start and deleted at close.
 */
public final class AeronTransport implements HaTransport
{
    /** The replication stream's id, the same both ways. */
    public static final int STREAM_ID = 1801;
    /** The heartbeats' stream id. */
    public static final int HEARTBEAT_STREAM_ID = 1802;
    /** Each term of the publication; three make its log. 64 KiB of records is about 1,000 sessions. */
    static final String TERM_LENGTH = "4m";
    private static final long DRIVER_IDLE_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final MediaDriver driver;
    private final Aeron aeron;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final ExclusivePublication heartbeats;
    private final Subscription peerHeartbeats;
    /** The second path's heartbeats, out and in; null without {@code ha.heartbeatLink}. */
    private final ExclusivePublication secondHeartbeats;
    private final Subscription peerSecondHeartbeats;
    private HaTransport.Handler handler;
    private final ControlledFragmentHandler fragments = (buffer, offset, length, header) ->
        handler.onMessage(buffer, offset, length, PATH_LINK) ? ControlledFragmentHandler.Action.CONTINUE :
            ControlledFragmentHandler.Action.ABORT;
    private final ControlledFragmentHandler secondFragments = (buffer, offset, length, header) ->
        handler.onMessage(buffer, offset, length, PATH_SECOND) ? ControlledFragmentHandler.Action.CONTINUE :
            ControlledFragmentHandler.Action.ABORT;

    private AeronTransport(final MediaDriver driver, final Aeron aeron, final ExclusivePublication publication,
        final Subscription subscription, final ExclusivePublication heartbeats, final Subscription peerHeartbeats,
        final ExclusivePublication secondHeartbeats, final Subscription peerSecondHeartbeats)
    {
        this.driver = driver;
        this.aeron = aeron;
        this.publication = publication;
        this.subscription = subscription;
        this.heartbeats = heartbeats;
        this.peerHeartbeats = peerHeartbeats;
        this.secondHeartbeats = secondHeartbeats;
        this.peerSecondHeartbeats = peerSecondHeartbeats;
    }

    /**
     * Starts the media driver (when embedded), connects a client and opens both streams.
     */
    public static AeronTransport open(final HaConfig config, final ErrorHandler errors)
    {
        MediaDriver driver = null;
        Aeron aeron = null;
        try
        {
            final String directory = config.aeronDirectory().toString();
            if (config.embeddedDriver())
            {
                driver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(directory)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new SleepingIdleStrategy(DRIVER_IDLE_NS))
                    .errorHandler(errors)
                    .warnIfDirectoryExists(false));
            }
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory).errorHandler(errors));
            final ExclusivePublication publication = aeron.addExclusivePublication(
                channel(config.peer()) + "|term-length=" + TERM_LENGTH, STREAM_ID);
            final Subscription subscription = aeron.addSubscription(channel(config.link()), STREAM_ID);
            final ExclusivePublication heartbeats = aeron.addExclusivePublication(
                channel(config.peer()) + "|term-length=64k", HEARTBEAT_STREAM_ID);
            final Subscription peerHeartbeats = aeron.addSubscription(channel(config.link()), HEARTBEAT_STREAM_ID);
            final ExclusivePublication secondHeartbeats = config.hasHeartbeatPath() ? aeron.addExclusivePublication(
                channel(config.heartbeatPeer()) + "|term-length=64k", HEARTBEAT_STREAM_ID) : null;
            final Subscription peerSecondHeartbeats = config.hasHeartbeatPath() ?
                aeron.addSubscription(channel(config.heartbeatLink()), HEARTBEAT_STREAM_ID) : null;
            return new AeronTransport(driver, aeron, publication, subscription, heartbeats, peerHeartbeats,
                secondHeartbeats, peerSecondHeartbeats);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(aeron, driver);
            throw ex;
        }
    }

    static String channel(final Ipv4Endpoint endpoint)
    {
        return "aeron:udp?endpoint=" + endpoint;
    }

    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        final boolean heartbeat = buffer.getInt(offset + HaWire.TYPE_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) ==
            HaWire.HEARTBEAT;
        if (!heartbeat)
        {
            return publication.offer(buffer, offset, length) > 0;
        }
        final boolean overLink = heartbeats.offer(buffer, offset, length) > 0;
        return (secondHeartbeats != null && secondHeartbeats.offer(buffer, offset, length) > 0) || overLink;
    }

    public int poll(final HaTransport.Handler handler, final int limit)
    {
        this.handler = handler;
        final int second = peerSecondHeartbeats == null ? 0 : peerSecondHeartbeats.controlledPoll(secondFragments, limit);
        return second + peerHeartbeats.controlledPoll(fragments, limit) + subscription.controlledPoll(fragments, limit);
    }

    public boolean peerConnected()
    {
        return subscription.isConnected();
    }

    /**
     * @return whether the peer's subscription is reachable from here (its status messages arrive).
     */
    public boolean publicationConnected()
    {
        return publication.isConnected();
    }

    public void close()
    {
        CloseHelper.quietCloseAll(secondHeartbeats, peerSecondHeartbeats, heartbeats, peerHeartbeats, publication,
            subscription, aeron, driver);
    }
}
