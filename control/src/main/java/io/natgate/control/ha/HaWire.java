package io.natgate.control.ha;

/**
 * The layout of the messages the two gateways of a pair exchange on their Aeron streams, in one place:
 * little-endian (Aeron's own order; written in the native order of the little-endian hosts natgate runs on,
 * x86-64 and aarch64), 8-byte fields first. Every message starts with its type.
 * <p>
 * Heartbeats go both ways. Replication records go from the active: each session event (and each session a
 * snapshot reads) is one record with a sequence number, so a standby that sees a gap knows it missed one and
 * asks for a snapshot. A standby asks for a snapshot with a request; the active answers with a begin, the
 * records of its tables and an end, between records of the live stream.
 */
final class HaWire
{
    static final int TYPE_OFFSET = 0;

    static final int HEARTBEAT = 1;
    static final int RECORD = 2;
    static final int SNAPSHOT_REQUEST = 3;
    static final int SNAPSHOT_BEGIN = 4;
    static final int SNAPSHOT_END = 5;

    // heartbeat
    static final int HB_INCARNATION_OFFSET = 8;
    /** The active: records sent; the standby: records applied. */
    static final int HB_SEQUENCE_OFFSET = 16;
    /** The standby: the active's send time of the last record applied (echoed), 0 when none. */
    static final int HB_ECHO_SEND_NS_OFFSET = 24;
    /** The standby: how long ago (its clock) it applied that record. */
    static final int HB_ECHO_HELD_NS_OFFSET = 32;
    static final int HB_ROLE_OFFSET = 40;
    static final int HB_PRIORITY_OFFSET = 44;
    static final int HB_SYNCED_OFFSET = 48;
    static final int HEARTBEAT_LENGTH = 52;

    // replication record
    static final int REC_SEQUENCE_OFFSET = 8;
    static final int REC_SEND_NS_OFFSET = 16;
    static final int REC_KIND_OFFSET = 24;
    static final int REC_PROTOCOL_OFFSET = 28;
    static final int REC_INSIDE_ADDRESS_OFFSET = 32;
    static final int REC_INSIDE_PORT_OFFSET = 36;
    static final int REC_PUBLIC_ADDRESS_OFFSET = 40;
    static final int REC_PUBLIC_PORT_OFFSET = 44;
    static final int REC_REMOTE_ADDRESS_OFFSET = 48;
    static final int REC_REMOTE_PORT_OFFSET = 52;
    static final int REC_STATE_OFFSET = 56;
    static final int RECORD_LENGTH = 60;

    /** A session made or refreshed (or read by a snapshot): the standby makes it or brings it up to date. */
    static final int KIND_SESSION = 1;
    /** A session ended (expired or removed). */
    static final int KIND_SESSION_END = 2;
    /** A static mapping added (by a reload). */
    static final int KIND_STATIC = 3;
    /** A mapping removed: a static one goes on the standby too; dynamic ones follow their sessions. */
    static final int KIND_MAPPING_END = 4;

    // snapshot request, begin, end
    static final int SNAP_REQUEST_ID_OFFSET = 8;
    /** Begin: the sequence of the record before the snapshot's first; end: the snapshot's session count. */
    static final int SNAP_VALUE_OFFSET = 16;
    static final int SNAPSHOT_LENGTH = 24;

    static final int MAX_LENGTH = RECORD_LENGTH;

    private HaWire()
    {
    }
}
