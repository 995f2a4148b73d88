package io.natgate.datapath.nat;

/**
 * What a warm restart puts back before the first frame: the mappings and sessions a journal says were live,
 * and the record keeping that refuses new ones while the journal cannot record them. One engine
 * ({@link NatEngine}) or every worker's, each restored mapping on the worker that owns it ({@link NatWorkers}).
 */
public interface NatRestore
{
    /**
     * @see NatEngine#restoreMapping
     */
    CommandStatus restoreMapping(
        int protocol, int insideAddress, int insidePort, int publicAddress, int publicPort, MappingKind kind,
        long holdUntilNs);

    /**
     * @see NatEngine#restoreSession
     */
    CommandStatus restoreSession(
        int protocol, int insideAddress, int insidePort, int remoteAddress, int remotePort, int state,
        long deadlineNs);

    /**
     * @see NatEngine#recordKeeping
     */
    void recordKeeping(RecordKeeping keeping);
}
