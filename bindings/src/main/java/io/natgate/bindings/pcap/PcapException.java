package io.natgate.bindings.pcap;

/**
 * A libpcap call failed. The message is libpcap's own text (its error buffer or
 * {@code pcap_geterr}), prefixed with the call and the device or file it was about.
 */
public final class PcapException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int status;

    public PcapException(final String message, final int status)
    {
        super(message);
        this.status = status;
    }

    /**
     * @return the libpcap status code, e.g. {@link LibPcap#PCAP_ERROR_PERM_DENIED}, or
     * {@link LibPcap#PCAP_ERROR} when the call only reports failure.
     */
    public int status()
    {
        return status;
    }
}
