package io.natgate.datapath.nat;

/**
 * Receives mappings when the table is walked.
 */
@FunctionalInterface
public interface MappingVisitor
{
    /**
     * @param deadlineNs the expiry of an {@link MappingKind#INBOUND} mapping; 0 for the others,
     *                   which live as long as their sessions (dynamic) or for ever (static).
     */
    void onMapping(
        int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, MappingKind kind,
        int sessionCount, long deadlineNs);
}
