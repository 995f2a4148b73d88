package io.natgate.datapath.pipeline;

/**
 * The binary layout of every message on the pipeline's rings, in one place: message type
 * ids and field offsets. Fields are in native byte order (the rings never leave the process)
 * and 8-byte fields come first so they are aligned within the ring's 8-byte-aligned records.
 */
public final class MessageLayout
{
    /**
     * Type id of a frame on an rx or tx ring; the frame's bytes are the whole message. Each
     * port has its own rings, so the ring says which port.
     */
    public static final int FRAME_MSG_TYPE_ID = 1;

    /**
     * Type ids above this one are frames too, with their {@link io.natgate.datapath.offload.Offload}
     * state in the bits below it: the state travels with the frame at no cost in ring space.
     */
    public static final int OFFLOADED_FRAME_MSG_TYPE_BIT = 1 << 30;

    // Commands (control plane -> worker). All commands share one fixed record; a command
    // leaves the fields it does not have at zero.

    public static final int ADD_STATIC_MAPPING_MSG_TYPE_ID = 1;
    public static final int REMOVE_STATIC_MAPPING_MSG_TYPE_ID = 2;
    public static final int OPEN_INBOUND_MAPPING_MSG_TYPE_ID = 3;
    public static final int CLOSE_INBOUND_MAPPING_MSG_TYPE_ID = 4;
    public static final int REMOVE_SESSION_MSG_TYPE_ID = 5;
    public static final int REPLICATE_SESSION_MSG_TYPE_ID = 6;

    public static final int COMMAND_CORRELATION_ID_OFFSET = 0;
    public static final int COMMAND_LIFETIME_NS_OFFSET = 8;
    public static final int COMMAND_PROTOCOL_OFFSET = 16;
    public static final int COMMAND_INSIDE_ADDRESS_OFFSET = 20;
    public static final int COMMAND_INSIDE_PORT_OFFSET = 24;
    public static final int COMMAND_PUBLIC_ADDRESS_OFFSET = 28;
    public static final int COMMAND_PUBLIC_PORT_OFFSET = 32;
    public static final int COMMAND_REMOTE_ADDRESS_OFFSET = 36;
    public static final int COMMAND_REMOTE_PORT_OFFSET = 40;
    public static final int COMMAND_STATE_OFFSET = 44;
    public static final int COMMAND_LENGTH = 48;

    // Events (worker -> journal). Mapping events share one record, session events extend it; command
    // completion has its own.

    public static final int MAPPING_CREATED_MSG_TYPE_ID = 1;
    public static final int MAPPING_EXPIRED_MSG_TYPE_ID = 2;
    public static final int MAPPING_REMOVED_MSG_TYPE_ID = 3;
    public static final int COMMAND_COMPLETED_MSG_TYPE_ID = 4;

    public static final int EVENT_TIME_NS_OFFSET = 0;

    public static final int MAPPING_PROTOCOL_OFFSET = 8;
    public static final int MAPPING_INSIDE_ADDRESS_OFFSET = 12;
    public static final int MAPPING_INSIDE_PORT_OFFSET = 16;
    public static final int MAPPING_PUBLIC_ADDRESS_OFFSET = 20;
    public static final int MAPPING_PUBLIC_PORT_OFFSET = 24;
    public static final int MAPPING_KIND_OFFSET = 28;
    public static final int MAPPING_EVENT_LENGTH = 32;

    public static final int COMPLETED_CORRELATION_ID_OFFSET = 8;
    public static final int COMPLETED_STATUS_OFFSET = 16;
    public static final int COMPLETED_PUBLIC_ADDRESS_OFFSET = 20;
    public static final int COMPLETED_PUBLIC_PORT_OFFSET = 24;
    public static final int COMMAND_COMPLETED_LENGTH = 28;

    // Session events share one record: a mapping event's endpoints, then the remote endpoint and state.

    public static final int SESSION_CREATED_MSG_TYPE_ID = 5;
    public static final int SESSION_REFRESHED_MSG_TYPE_ID = 6;
    public static final int SESSION_EXPIRED_MSG_TYPE_ID = 7;
    public static final int SESSION_REMOVED_MSG_TYPE_ID = 8;

    public static final int SESSION_REMOTE_ADDRESS_OFFSET = 28;
    public static final int SESSION_REMOTE_PORT_OFFSET = 32;
    public static final int SESSION_STATE_OFFSET = 36;
    public static final int SESSION_EVENT_LENGTH = 40;

    // Allocation events share the mapping record: protocol 0, the inside address, the block's first port in the
    // inside port's place, the public address, the block's last port in the public port's place, and for a
    // quota the limit in the kind's place.

    public static final int PORT_BLOCK_ALLOCATED_MSG_TYPE_ID = 9;
    public static final int PORT_BLOCK_RELEASED_MSG_TYPE_ID = 10;
    public static final int PORT_BLOCK_INTERIM_MSG_TYPE_ID = 11;
    public static final int QUOTA_EXCEEDED_MSG_TYPE_ID = 12;
    public static final int PORTS_EXHAUSTED_MSG_TYPE_ID = 13;

    private MessageLayout()
    {
    }

    /**
     * @return the type id of a frame with this offload state (0 for a plain frame).
     */
    public static int frameMsgTypeId(final int offload)
    {
        return offload == 0 ? FRAME_MSG_TYPE_ID : OFFLOADED_FRAME_MSG_TYPE_BIT | offload;
    }

    /**
     * @return the offload state of a frame with this type id.
     */
    public static int frameOffload(final int msgTypeId)
    {
        return msgTypeId == FRAME_MSG_TYPE_ID ? 0 : msgTypeId & ~OFFLOADED_FRAME_MSG_TYPE_BIT;
    }
}
