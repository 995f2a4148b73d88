package io.natgate.datapath.nat;

/**
 * Receives the inside hosts (clients) when the client table is walked: what each holds against the quotas.
 */
@FunctionalInterface
public interface ClientVisitor
{
    void onClient(int insideAddress, int portsInUse, int sessions);
}
