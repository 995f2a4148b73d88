package io.natgate.control.export;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The IPFIX templates natgate exports (RFC 7011 section 3.4.1) with the NAT information elements of RFC 8158,
 * one per kind of record, and their encoding into a Template Set. Every field is fixed-length but the pool
 * name of {@link #PORTS_EXHAUSTED} (variable length, RFC 7011 section 7).
 */
public final class IpfixTemplates
{
    /** Information element ids (IANA's IPFIX registry). */
    public static final int PROTOCOL_IDENTIFIER = 4;
    public static final int SOURCE_TRANSPORT_PORT = 7;
    public static final int SOURCE_IPV4_ADDRESS = 8;
    public static final int DESTINATION_TRANSPORT_PORT = 11;
    public static final int DESTINATION_IPV4_ADDRESS = 12;
    public static final int POST_NAT_SOURCE_IPV4_ADDRESS = 225;
    public static final int POST_NAT_DESTINATION_IPV4_ADDRESS = 226;
    public static final int POST_NAPT_SOURCE_TRANSPORT_PORT = 227;
    public static final int POST_NAPT_DESTINATION_TRANSPORT_PORT = 228;
    public static final int NAT_EVENT = 230;
    public static final int NAT_POOL_ID = 283;
    public static final int NAT_POOL_NAME = 284;
    public static final int OBSERVATION_TIME_MILLISECONDS = 323;
    public static final int PORT_RANGE_START = 361;
    public static final int PORT_RANGE_END = 362;
    public static final int PORT_RANGE_STEP_SIZE = 363;
    public static final int PORT_RANGE_NUM_PORTS = 364;
    public static final int NAT_QUOTA_EXCEEDED_EVENT = 466;
    public static final int MAX_ENTRIES_PER_USER = 473;

    /** A field's length in a template meaning "variable" (RFC 7011 section 7). */
    public static final int VARIABLE_LENGTH = 65_535;

    /** NAT44 session create/delete. */
    public static final int SESSION = 256;
    /** NAT44 BIB (address-and-port mapping) create/delete. */
    public static final int BIB = 257;
    /** Port block allocation/de-allocation. */
    public static final int PORT_BLOCK = 258;
    /** Quota exceeded (maximum entries per user). */
    public static final int QUOTA_EXCEEDED = 259;
    /** NAT ports exhausted on a public address, with the pool's name. */
    public static final int PORTS_EXHAUSTED = 260;

    private static final int[][] FIELDS = {
        {OBSERVATION_TIME_MILLISECONDS, 8, NAT_EVENT, 1, PROTOCOL_IDENTIFIER, 1, SOURCE_IPV4_ADDRESS, 4,
            SOURCE_TRANSPORT_PORT, 2, POST_NAT_SOURCE_IPV4_ADDRESS, 4, POST_NAPT_SOURCE_TRANSPORT_PORT, 2,
            DESTINATION_IPV4_ADDRESS, 4, DESTINATION_TRANSPORT_PORT, 2, POST_NAT_DESTINATION_IPV4_ADDRESS, 4,
            POST_NAPT_DESTINATION_TRANSPORT_PORT, 2, NAT_POOL_ID, 4},
        {OBSERVATION_TIME_MILLISECONDS, 8, NAT_EVENT, 1, PROTOCOL_IDENTIFIER, 1, SOURCE_IPV4_ADDRESS, 4,
            SOURCE_TRANSPORT_PORT, 2, POST_NAT_SOURCE_IPV4_ADDRESS, 4, POST_NAPT_SOURCE_TRANSPORT_PORT, 2,
            NAT_POOL_ID, 4},
        {OBSERVATION_TIME_MILLISECONDS, 8, NAT_EVENT, 1, SOURCE_IPV4_ADDRESS, 4, POST_NAT_SOURCE_IPV4_ADDRESS, 4,
            PORT_RANGE_START, 2, PORT_RANGE_END, 2, PORT_RANGE_STEP_SIZE, 2, PORT_RANGE_NUM_PORTS, 2, NAT_POOL_ID, 4},
        {OBSERVATION_TIME_MILLISECONDS, 8, NAT_EVENT, 1, NAT_QUOTA_EXCEEDED_EVENT, 4, MAX_ENTRIES_PER_USER, 4,
            SOURCE_IPV4_ADDRESS, 4},
        {OBSERVATION_TIME_MILLISECONDS, 8, NAT_EVENT, 1, POST_NAT_SOURCE_IPV4_ADDRESS, 4, NAT_POOL_ID, 4,
            NAT_POOL_NAME, VARIABLE_LENGTH},
    };

    /** The Template Set's length in bytes. */
    public static final int TEMPLATE_SET_LENGTH;

    static
    {
        int length = 4;
        for (final int[] fields : FIELDS)
        {
            length += 4 + fields.length * 2;
        }
        TEMPLATE_SET_LENGTH = length;
    }

    private IpfixTemplates()
    {
    }

    /**
     * @return the fixed length of a data record of {@code templateId} (without variable-length fields).
     */
    public static int fixedRecordLength(final int templateId)
    {
        final int[] fields = FIELDS[templateId - SESSION];
        int length = 0;
        for (int i = 1; i < fields.length; i += 2)
        {
            length += fields[i] == VARIABLE_LENGTH ? 0 : fields[i];
        }
        return length;
    }

    /**
     * Writes the Template Set (set id 2) of every template at {@code offset}.
     *
     * @return its length, {@link #TEMPLATE_SET_LENGTH}.
     */
    public static int writeTemplateSet(final MutableDirectBuffer buffer, final int offset)
    {
        int position = offset;
        buffer.putShort(position, (short)2, ByteOrder.BIG_ENDIAN);
        buffer.putShort(position + 2, (short)TEMPLATE_SET_LENGTH, ByteOrder.BIG_ENDIAN);
        position += 4;
        for (int t = 0; t < FIELDS.length; t++)
        {
            final int[] fields = FIELDS[t];
            buffer.putShort(position, (short)(SESSION + t), ByteOrder.BIG_ENDIAN);
            buffer.putShort(position + 2, (short)(fields.length / 2), ByteOrder.BIG_ENDIAN);
            position += 4;
            for (int i = 0; i < fields.length; i += 2)
            {
                buffer.putShort(position, (short)fields[i], ByteOrder.BIG_ENDIAN);
                buffer.putShort(position + 2, (short)fields[i + 1], ByteOrder.BIG_ENDIAN);
                position += 4;
            }
        }
        return position - offset;
    }
}
